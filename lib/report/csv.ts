/** Minimal RFC 4180 CSV: enough for the paper's tables and ours (model names may hold commas or quotes). */

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const s = text.replace(/^\uFEFF/, "");
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += c === "\r" && s[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

/** Parse a CSV with a header into records, checking the header is exactly `columns`. */
export function parseCsvRecords(text: string, columns: readonly string[], where: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header || header.join(",") !== columns.join(",")) {
    throw new Error(`${where}: expected header "${columns.join(",")}", got "${(header ?? []).join(",")}"`);
  }
  return rows.map((r, i) => {
    if (r.length !== columns.length) throw new Error(`${where}:${i + 2}: expected ${columns.length} fields, got ${r.length}`);
    return Object.fromEntries(columns.map((c, j) => [c, r[j]]));
  });
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) || /^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Rows → CSV text, "\n" line ends and a final newline (the paper's files' convention). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(quote).join(",")).join("\n") + "\n";
}
