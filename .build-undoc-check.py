import re, sys, pathlib
count = 0
per = {}
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.swift")):
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        s = line.strip()
        if not re.match(r'(@\w+(\([^)]*\))?\s+)*(public|open)\s', s): continue
        if re.match(r'public\s+import', s): continue
        # extension declarations don't need docs
        if re.match(r'(public\s+)?extension\s', s): continue
        if re.search(r'var (description|debugDescription|testDescription)\b|func hash\(into|init\(from decoder|func encode\(to encoder', s): continue
        j = i - 1
        while j >= 0 and (lines[j].strip().startswith('@') and not lines[j].strip().startswith('@_')):
            j -= 1
        prev = lines[j].strip() if j >= 0 else ''
        if prev.startswith('///') or prev.endswith('*/'): continue
        count += 1
        per.setdefault(str(path), []).append((i+1, s[:110]))
for p, items in per.items():
    for n, s in items:
        print(f"{p}:{n}: {s}")
print(count, file=sys.stderr)
