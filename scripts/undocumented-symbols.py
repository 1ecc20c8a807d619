#!/usr/bin/env python3
"""Lists public declarations under the given folders that have no documentation comment (`///` on the line
above, attributes aside) and exits 1 when there is any. Members that implement a standard protocol
(`description`, `hash(into:)`, `init(from:)`, `encode(to:)`) inherit its documentation and are not listed.
scripts/check-docs.sh runs it beside the DocC build, which reports broken links but not missing comments."""
import re, sys, pathlib
count = 0
per = {}
for path in sorted(p for folder in sys.argv[1:] for p in pathlib.Path(folder).rglob("*.swift")):
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        s = line.strip()
        if not re.match(r'(@\w+(\([^)]*\))?\s+)*(public|open)\s', s): continue
        if re.match(r'public\s+import', s): continue
        # extension declarations don't need docs
        if re.match(r'(public\s+)?extension\s', s): continue
        if re.search(r'var (description|debugDescription|testDescription)\b|func hash\(into|init\(from decoder|func encode\(to encoder', s): continue
        # Above the declaration: its attributes (possibly spanning lines), then the comment.
        j = i - 1
        while j >= 0 and lines[j].strip() and not lines[j].strip().startswith('///') and i - j <= 4:
            j -= 1
        attributes = [line.strip() for line in lines[j + 1:i]]
        def is_attribute_block(block):
            for index, line in enumerate(block):
                continues = index > 0 and block[index - 1].endswith((',', '('))
                if not (line.startswith('@') or continues):
                    return False
            return True
        if not is_attribute_block(attributes):
            j = i - 1
        prev = lines[j].strip() if j >= 0 else ''
        if prev.startswith('///') or prev.endswith('*/'): continue
        count += 1
        per.setdefault(str(path), []).append((i+1, s[:110]))
for p, items in per.items():
    for n, s in items:
        print(f"{p}:{n}: undocumented public declaration: {s}")
if count:
    print(f"{count} public declarations without a documentation comment", file=sys.stderr)
    sys.exit(1)
