#!/usr/bin/env python3
"""normalize-auto-port TRACE: D13's random monitor port pair, written back as placeholders.

With neither -M nor AUTOSSH_PORT, autossh-ts picks p, p+1 (p random in 32768-65534) and ssh's
argv starts with -L p:127.0.0.1:p -R p:127.0.0.1:p+1. The trace is rewritten in place: p becomes
{{AUTOPORT}} and p+1 {{AUTOPORT+1}}, as the oracle writes {{MPORT}}, so that compare-traces can
hold it to the expected trace. Only the pair of the first ssh is rewritten: an ssh started later
with another pair, a pair out of range or a missing pair still differs from the expected trace.
"""
import json
import re
import sys

LOW, HIGH = 32768, 65534


def auto_port(argv):
    if len(argv) < 5 or argv[1] != '-L' or argv[3] != '-R':
        return None
    m = re.fullmatch(r'(\d+):127\.0\.0\.1:(\d+)', argv[2])
    if not m or m.group(1) != m.group(2):
        return None
    p = int(m.group(1))
    if argv[4] != '%d:127.0.0.1:%d' % (p, p + 1):
        return None
    if not LOW <= p <= HIGH:
        sys.stderr.write('normalize-auto-port: monitor port %d is outside %d-%d\n' % (p, LOW, HIGH))
        return None
    return p


def main(path):
    trace = json.load(open(path))
    spawns = [e for e in trace['events'] if e.get('kind') == 'child_spawn']
    port = auto_port(spawns[0]['argv']) if spawns else None
    if port is not None:
        words = {str(port): '{{AUTOPORT}}', str(port + 1): '{{AUTOPORT+1}}'}
        pattern = re.compile(r'\b(%d|%d)\b' % (port, port + 1))
        for event in spawns:
            event['argv'] = [pattern.sub(lambda m: words[m.group(1)], word) for word in event['argv']]
    with open(path, 'w') as f:
        json.dump(trace, f, indent=1)
        f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
