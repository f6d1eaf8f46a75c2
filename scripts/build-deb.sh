#!/usr/bin/env bash
# Builds autossh-ts_VERSION_ARCH.deb with Debian's own tools (dpkg-shlibdeps, dpkg-deb) from this
# tree: the program under /usr/lib/autossh-ts with its production npm dependencies (unix-dgram
# compiled here, for this architecture), /usr/bin/autossh-ts and /usr/bin/autossh-lab, the man
# pages (man/*, when the tree has them), the units in /lib/systemd/system, the example
# /etc/autossh-ts/tunnels.toml (a conffile), and the maintainer scripts of packaging/debian/.
#
#   bash scripts/build-deb.sh [--prebuilt] [OUTDIR]   (OUTDIR defaults to the top of the tree)
#
# --prebuilt packs dist/ as it is (`npm run build` already ran, as in `npm test`) instead of
# building it first. Needs what scripts/setup.sh installs (node, npm, dpkg-dev, g++, make,
# python3) and the tree's own node_modules (npm ci) for the build. Prints the .deb's path last.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
prebuilt=no
if [ "${1:-}" = --prebuilt ]; then prebuilt=yes; shift; fi
outdir=$(realpath -m "${1:-$top}")

die() { echo "build-deb.sh: $*" >&2; exit 1; }
for tool in node npm dpkg-deb dpkg-shlibdeps strip gzip; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh first"
done
[ -d node_modules ] || die "no node_modules: run scripts/setup.sh (or npm ci) first"

name=autossh-ts
version=$(node -p 'require("./package.json").version')
arch=$(dpkg --print-architecture)
changelog_version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' packaging/debian/changelog)
[ "$changelog_version" = "$version" ] ||
  die "packaging/debian/changelog's last entry is $changelog_version, package.json says $version: add an entry"
# the package's dates (changelog, files, archive members) are the last commit's: a rebuild of
# the same commit gives the same files
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"

work=$(mktemp -d "${TMPDIR:-/tmp}/autossh-ts-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
app=$pkg/usr/lib/$name
doc=$pkg/usr/share/doc/$name

if [ "$prebuilt" = yes ]; then
  [ -f dist/autossh-ts.mjs ] && [ -f dist/lab/cli/lab.js ] || die "--prebuilt, but dist/ has no build: run npm run build"
else
  echo "build-deb.sh: building the program" >&2
  npm run --silent build >&2
fi

# The program: esbuild's bundle for autossh-ts, tsc's output for autossh-lab (it imports src/,
# sim/ and lab/, and runs src/cli/autossh.js for its chaos runs). No source maps, no benches.
mkdir -p "$app/dist"
cp -r dist/autossh-ts.mjs dist/autossh-ts-chunks dist/src dist/sim dist/lab "$app/dist/"
find "$app/dist" -name '*.map' -delete
node -e '
  const p = require("./package.json");
  const kept = { name: p.name, version: p.version, description: p.description, license: p.license,
                 type: p.type, engines: p.engines, dependencies: p.dependencies };
  process.stdout.write(JSON.stringify(kept, null, 2) + "\n");
' > "$app/package.json"
# env's search is no use to a package: Depends: nodejs installs /usr/bin/node
scripts=$(grep -rl --include='*.js' --include='*.mjs' '^#!/usr/bin/env node$' "$app/dist")
# shellcheck disable=SC2086
sed -i '1s|^#!/usr/bin/env node$|#!/usr/bin/node|' $scripts

# Production dependencies, as the lock pins them; unix-dgram is compiled by its install script
echo "build-deb.sh: installing the production dependencies (npm ci --omit=dev)" >&2
mkdir -p "$work/modules"
cp package.json package-lock.json "$work/modules/"
# node-gyp must find node's headers here, never download them (as scripts/setup.sh)
if [ -f /usr/include/node/common.gypi ]; then export npm_config_nodedir="${npm_config_nodedir:-/usr}"; fi
# unix-dgram compiled with Debian's hardening flags (node-gyp's make reads CFLAGS, LDFLAGS, ...)
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
(cd "$work/modules" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2)
mv "$work/modules/node_modules" "$app/node_modules"
modules=$app/node_modules
# What runs is kept with each package's licence; what does not run is not shipped: types, source
# maps, TypeScript sources, tests, documents, and unix-dgram's build tree but for the module
# itself. nan is headers for that build only.
find "$modules" -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' -o -name '*.map' \
  -o -name '*.ts' -o -name '*.tsbuildinfo' -o -name '.npmignore' -o -name '.travis.yml' \
  -o -name '.eslintrc*' -o -name '.editorconfig' -o -name 'Makefile' \) -delete
find "$modules" -type f -iname '*.md' ! -iname 'LICENSE*' -delete
find "$modules" -depth -type d \( -name test -o -name tests -o -name __tests__ -o -name example \
  -o -name examples -o -name docs -o -name .github \) -exec rm -rf {} +
rm -rf "$modules/zod/src" "$modules/nan" "$modules/.package-lock.json" "$modules/.bin"
dgram=$modules/unix-dgram
[ -f "$dgram/build/Release/unix_dgram.node" ] || die "unix-dgram was not compiled (g++, make, python3 and node's headers are needed)"
mv "$dgram/build/Release/unix_dgram.node" "$work/unix_dgram.node"
rm -rf "$dgram/build" "$dgram/src" "$dgram/binding.gyp"
mkdir -p "$dgram/build/Release"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$work/unix_dgram.node" \
  -o "$dgram/build/Release/unix_dgram.node"
find "$modules" -depth -type d -empty -delete

# Commands
mkdir -p "$pkg/usr/bin"
ln -s "../lib/$name/dist/autossh-ts.mjs" "$pkg/usr/bin/autossh-ts"
ln -s "../lib/$name/dist/lab/cli/lab.js" "$pkg/usr/bin/autossh-lab"

# Units, the example conffile, man pages, documents
install -D -m 0644 contrib/systemd/autossh-ts.service "$pkg/lib/systemd/system/autossh-ts.service"
install -D -m 0644 contrib/systemd/autossh-ts@.service "$pkg/lib/systemd/system/autossh-ts@.service"
install -D -m 0644 contrib/examples/tunnels.toml "$pkg/etc/$name/tunnels.toml"
for page in man/*.[1-8]; do
  [ -f "$page" ] || continue
  section=${page##*.}
  install -D -m 0644 "$page" "$pkg/usr/share/man/man$section/${page##*/}"
  gzip -9n "$pkg/usr/share/man/man$section/${page##*/}"
done
install -d "$doc/examples"
install -m 0644 contrib/examples/tunnels.toml contrib/examples/tunnel.conf "$doc/examples/"
install -m 0644 docs/systemd.md "$doc/systemd.md"
install -m 0644 README.md "$doc/README.md"
gzip -9n "$doc/README.md" "$doc/systemd.md"
gzip -9nc packaging/debian/changelog > "$doc/changelog.gz"

# copyright: ours, then one paragraph per npm package shipped, from its package.json and LICENSE
paragraphs=$work/copyright-modules
node - "$modules" > "$paragraphs" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const known = new Set(['MIT', 'ISC', 'BSD-3-Clause', 'Apache-2.0']);
const names = [];
for (const entry of fs.readdirSync(dir).sort()) {
  if (entry.startsWith('@')) for (const sub of fs.readdirSync(path.join(dir, entry)).sort()) names.push(`${entry}/${sub}`);
  else names.push(entry);
}
for (const name of names) {
  const home = path.join(dir, name);
  const meta = JSON.parse(fs.readFileSync(path.join(home, 'package.json'), 'utf8'));
  const license = typeof meta.license === 'string' ? meta.license : meta.license?.type;
  if (!known.has(license)) {
    process.stderr.write(`build-deb.sh: ${name} is under "${license}", which packaging/debian/copyright has no text for\n`);
    process.exit(1);
  }
  let holder = `the authors of ${name}`;
  const file = fs.readdirSync(home).find((f) => /^licen[cs]e/i.test(f));
  if (file) {
    const line = fs.readFileSync(path.join(home, file), 'utf8').split('\n').map((l) => l.trim())
      .find((l) => /^copyright\s+(\(c\)|©|\d)/i.test(l));
    if (line) holder = line.replace(/^copyright\s+(\(c\)\s*|©\s*)?/i, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  process.stdout.write(`Files: usr/lib/autossh-ts/node_modules/${name}/*\nCopyright: ${holder}\nLicense: ${license}\nComment: ${meta.name} ${meta.version}\n\n`);
}
EOF
awk -v f="$paragraphs" '$0 == "@NODE_MODULES@" { while ((getline l < f) > 0) print l; next } { print }' \
  packaging/debian/copyright > "$doc/copyright"
chmod 0644 "$doc/copyright"
# their notices and licence texts are in the copyright file now, as Debian keeps them
find "$modules" -type f \( -iname 'LICEN[CS]E*' -o -iname 'example.*' \) -delete

# Modes: directories 0755, files 0644, the two commands 0755
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -type f -exec chmod 0644 {} +
# shellcheck disable=SC2086
chmod 0755 $scripts

# Control: the shared libraries unix_dgram.node links (dpkg-shlibdeps reads a debian/control)
mkdir -p "$work/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" > "$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$dgram/build/Release/unix_dgram.node" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no shared library dependency for unix_dgram.node"
install -d -m 0755 "$pkg/DEBIAN"
installed_kib=$(du -s --block-size=1024 --apparent-size "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_kib/" \
  -e "s/@SHLIBS@/$shlibs/" packaging/debian/control > "$pkg/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$pkg/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$pkg/DEBIAN/"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
  xargs -d '\n' md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums"

find "$pkg" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$outdir"
deb=$outdir/${name}_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >&2
echo "$deb"
