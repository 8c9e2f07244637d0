/** Escapes text for XML element content (the emulator writes no attributes from data). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/**
 * How lists are written: `member` wraps each item in `<member>` inside the list element (AWS
 * Query), `flattened` repeats the list element once per item (S3 REST-XML).
 */
export type ListStyle = 'member' | 'flattened';

/** True for a Date from any realm (structuredClone under Jest returns host-realm Dates). */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

function scalar(value: unknown): string | undefined {
  if (isDate(value)) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Renders `value` as the content of an element (no enclosing tag). */
export function xmlContent(value: unknown, style: ListStyle): string {
  const text = scalar(value);
  if (text !== undefined) return escapeXml(text);
  if (typeof value !== 'object' || value === null) return '';
  let out = '';
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    out += xmlElement(key, child, style);
  }
  return out;
}

/** A string map, written as AWS Query maps are: `<entry><key/><value/></entry>` per pair. */
export class XmlMap {
  constructor(readonly entries: Readonly<Record<string, string>>) {}
}

/** Renders `<name>value</name>`; arrays per `style`; undefined and null values are omitted. */
export function xmlElement(name: string, value: unknown, style: ListStyle): string {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlMap) {
    const entries = Object.entries(value.entries)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(v)}</value></entry>`)
      .join('');
    return `<${name}>${entries}</${name}>`;
  }
  if (Array.isArray(value)) {
    if (style === 'flattened') return value.map((item) => xmlElement(name, item, style)).join('');
    const items = value.map((item) => xmlElement('member', item, style)).join('');
    return `<${name}>${items}</${name}>`;
  }
  return `<${name}>${xmlContent(value, style)}</${name}>`;
}

/** A whole document: declaration plus a root element with its namespace. */
export function xmlDocument(root: string, namespace: string | undefined, inner: string): string {
  const ns = namespace ? ` xmlns="${namespace}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${inner}</${root}>`;
}
