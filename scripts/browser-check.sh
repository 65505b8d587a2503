#!/usr/bin/env bash
# Render RUN_DIR/report.html in headless Chromium (Debian's `chromium`) and check it as
# a reader would get it:
#   1. the file fetches nothing: no script, link, image or frame element, no src/href,
#      no URL in any tag (the SVG namespace name aside), no CSS url() or @import;
#   2. a screenshot (1280×4000) is not blank;
#   3. the DOM Chromium built has the summary table and one inline <svg> per plot in
#      RUN_DIR/plots/ (each as <figure class="plot" data-file="plots/NAME.svg">).
# Usage: scripts/browser-check.sh RUN_DIR [SCREENSHOT.png]
# Needs: chromium, python3 (standard library only).
set -euo pipefail

run_dir=${1:?usage: scripts/browser-check.sh RUN_DIR [SCREENSHOT.png]}
report="$run_dir/report.html"
[ -f "$report" ] || { echo "browser-check: $report does not exist" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "browser-check: chromium is not installed (apt-get install -y chromium)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
screenshot=${2:-$work/screenshot.png}
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"

# The flags keep Chromium off the network (this machine has none) and out of any
# first-run or sync machinery; a fresh profile each time.
chrome() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --no-first-run --disable-component-update --disable-sync --disable-quic \
        --user-data-dir="$(mktemp -d -p "$work")" "$@"
}

chrome --screenshot="$screenshot" --window-size=1280,4000 --hide-scrollbars "$url" 2>"$work/screenshot.log" \
    || { cat "$work/screenshot.log" >&2; echo "browser-check: screenshot failed" >&2; exit 1; }
chrome --dump-dom "$url" >"$work/dom.html" 2>"$work/dom.log" \
    || { cat "$work/dom.log" >&2; echo "browser-check: --dump-dom failed" >&2; exit 1; }

python3 - "$report" "$work/dom.html" "$screenshot" "$run_dir/plots" <<'PY'
import os, re, struct, sys, zlib

report_path, dom_path, shot_path, plots_dir = sys.argv[1:5]
report = open(report_path, encoding="utf-8").read()
dom = open(dom_path, encoding="utf-8").read()
failures = []

# 1. Nothing fetches the network. Corpus text may mention URLs as (escaped) text, so
#    only markup is examined: escaped text has no raw "<", so every <...> is a real tag.
for tag in re.findall(r"<[^>]*>", report):
    name = (tag[1:].split() or [""])[0].lower()
    if name in ("script", "link", "img", "image", "iframe", "object", "embed", "video", "audio", "source", "use"):
        failures.append(f"report.html has a <{name}> element")
    if re.search(r"\s(?:src|href|xlink:href|srcset|action|poster)\s*=", tag, re.IGNORECASE):
        failures.append(f"a fetching attribute: {tag[:120]}")
    if "://" in tag.replace('xmlns="http://www.w3.org/2000/svg"', ""):
        failures.append(f"a URL in markup: {tag[:120]}")
    if "url(" in tag:
        failures.append(f"a CSS url() in markup: {tag[:120]}")
for style in re.findall(r"<style>(.*?)</style>", report, re.DOTALL):
    if "url(" in style or "@import" in style or "://" in style:
        failures.append("the stylesheet fetches something")

# 2. The screenshot is not blank: decode the PNG (8-bit RGB or RGBA, no interlace).
def decode_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unsupported PNG {depth=} {colour=}"
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1: line[x] = (line[x] + a) & 255
            elif kind == 2: line[x] = (line[x] + b) & 255
            elif kind == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows

width, height, channels, rows = decode_png(shot_path)
colours, ink = set(), 0
for row in rows[::4]:
    for x in range(0, width * channels, channels * 2):
        pixel = row[x:x + 3]
        colours.add(pixel)
        if pixel != b"\xff\xff\xff":
            ink += 1
sampled = (len(rows[::4])) * len(range(0, width * channels, channels * 2))
print(f"screenshot {width}x{height}: {len(colours)} colours, {100 * ink / sampled:.1f} % non-white (sampled)")
if len(colours) < 50 or ink < 0.01 * sampled:
    failures.append(f"the screenshot looks blank ({len(colours)} colours, {ink} non-white samples)")

# 3. The DOM: the summary table with rows, and every plot inline as SVG.
has_table = bool(re.search(r'<table id="summary-table"', dom))
if not has_table:
    failures.append("no summary table in the DOM")
elif len(re.findall(r"<tr>", dom.split('id="summary-table"', 1)[1].split("</table>", 1)[0])) < 1:
    failures.append("the summary table has no rows")
plots = sorted(f[:-4] for f in os.listdir(plots_dir) if f.endswith(".svg")) if os.path.isdir(plots_dir) else []
if not plots:
    failures.append(f"no plots in {plots_dir}")
figures = dict(re.findall(r'<figure class="plot" id="plot-([^"]+)" data-file="[^"]*">\s*(<svg)?', dom))
for plot in plots:
    if plot not in figures:
        failures.append(f"plot {plot} is not in the DOM")
    elif not figures[plot]:
        failures.append(f"plot {plot} has no inline <svg>")
print(f"DOM: summary table {'present' if has_table else 'MISSING'}, {len(figures)} figures for {len(plots)} plots in {plots_dir}")

if failures:
    for failure in failures:
        print("browser-check: FAIL:", failure, file=sys.stderr)
    sys.exit(1)
print("browser-check: ok")
PY
