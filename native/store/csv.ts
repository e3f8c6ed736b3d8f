/**
 * RFC 4180 CSV: fields with a comma, quote, CR or LF (or surrounding spaces, which spreadsheet
 * programs trim) are quoted, quotes doubled; records end in CRLF. The reader also takes LF endings
 * and a leading BOM (Excel writes one), and names the record of any malformed field.
 */

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/u.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Records of fields; blank lines between records are skipped. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  const endField = () => {
    record.push(field);
    field = '';
    state = 'start';
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (state === 'quoted') {
      if (c !== '"') {
        field += c;
      } else if (input[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        state = 'closed';
      }
      continue;
    }
    if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRecord();
    } else if (state === 'closed') {
      throw new CsvError(
        `record ${records.length + 1}, field ${record.length + 1}: text after a closing quote (a quote inside a field must be doubled)`,
      );
    } else if (c === '"') {
      if (state !== 'start')
        throw new CsvError(
          `record ${records.length + 1}, field ${record.length + 1}: a quote inside an unquoted field (quote the whole field)`,
        );
      state = 'quoted';
    } else {
      field += c;
      state = 'plain';
    }
  }
  if (state === 'quoted') throw new CsvError(`record ${records.length + 1}, field ${record.length + 1}: the quoted field never ends`);
  if (field !== '' || record.length > 0 || state === 'closed') endRecord();
  return records;
}
