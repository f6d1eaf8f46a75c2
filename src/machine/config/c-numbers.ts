// autossh 1.4g reads every number with C's strtol/strtoul (base 0) and then casts it into an
// int or a double. Reproducing the quirks matters: "0x10" is 16, "010" is 8, " 5" is 5, and
// AUTOSSH_POLL="-5" silently becomes the 600 s default because strtoul wraps it negative.

const ULONG_MAX = (1n << 64n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

export interface CParse {
  /** the value as a C `long`/`unsigned long` would hold it (ERANGE already clamped) */
  value: bigint;
  /** true when the whole string was consumed (C: `*s != '\0' && *end == '\0'`) */
  complete: boolean;
}

function parseMagnitude(text: string): { negative: boolean; magnitude: bigint; end: number; digits: boolean } {
  let i = 0;
  while (i < text.length && ' \t\n\v\f\r'.includes(text[i]!)) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let base = 10;
  if (text[i] === '0') {
    if ((text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
      base = 16;
      i += 2;
    } else {
      base = 8;
    }
  }
  let magnitude = 0n;
  let digits = false;
  for (; i < text.length; i++) {
    const digit = parseInt(text[i]!, 16);
    if (Number.isNaN(digit) || digit >= base) break;
    magnitude = magnitude * BigInt(base) + BigInt(digit);
    digits = true;
  }
  return { negative, magnitude, end: i, digits };
}

export function strtol(text: string): CParse {
  const { negative, magnitude, end, digits } = parseMagnitude(text);
  if (!digits) return { value: 0n, complete: false };
  let value = negative ? -magnitude : magnitude;
  if (value > LONG_MAX) value = LONG_MAX;
  if (value < LONG_MIN) value = LONG_MIN;
  return { value, complete: text.length > 0 && end === text.length };
}

export function strtoul(text: string): CParse {
  const { negative, magnitude, end, digits } = parseMagnitude(text);
  if (!digits) return { value: 0n, complete: false };
  let value = magnitude > ULONG_MAX ? ULONG_MAX : magnitude;
  // C negates in unsigned arithmetic: strtoul("-1") == ULONG_MAX
  if (negative && magnitude <= ULONG_MAX) value = (ULONG_MAX + 1n - value) & ULONG_MAX;
  return { value, complete: text.length > 0 && end === text.length };
}

/** `(int)x` on x86_64: keep the low 32 bits, two's complement. */
export function toCInt(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}

/** `(double)x` of an unsigned long. */
export function unsignedToDouble(value: bigint): number {
  return Number(value);
}
