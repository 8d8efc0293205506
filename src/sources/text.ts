import { compile, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';

/** Code stays fenced so the linker can tell it apart from prose. */
const fenceBlock: FormatCallback = (elem, _walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 1 });
  builder.addLiteral(`\`\`\`\n${rawText(elem).replace(/\n+$/, '')}\n\`\`\``);
  builder.closeBlock({ trailingLineBreaks: 1 });
};

interface TextNode {
  data?: string;
  children?: TextNode[];
}

function rawText(node: TextNode): string {
  if (typeof node.data === 'string') return node.data;
  return (node.children ?? []).map(rawText).join('');
}

const inlineCode: FormatCallback = (elem, walk, builder) => {
  builder.addLiteral('`');
  walk(elem.children, builder);
  builder.addLiteral('`');
};

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  preserveNewlines: false,
  formatters: { fenceBlock, inlineCode },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'pre', format: 'fenceBlock', options: {} },
    { selector: 'code', format: 'inlineCode' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
  ],
};

// Compiled once: building the converter per call costs about 15x the conversion itself.
const convertHtml = compile(OPTIONS);
const convertPlain = compile({ wordwrap: false });

/** HTML (or entity-escaped text) from an upstream API to clean plain text. */
export function htmlToText(html: string | null | undefined): string {
  if (!html) return '';
  return convertHtml(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Decodes HTML entities in a short field (titles, names) that carries no markup. */
export function decodeEntities(text: string | null | undefined): string {
  if (!text) return '';
  return convertPlain(text.replace(/</g, '&lt;')).trim();
}

const namedEntities = new Map<string, string | null>();

/** The characters HTML's named entity `name` (`hellip`, `nbsp`) stands for; null when HTML has no such name. */
export function decodeNamedEntity(name: string): string | null {
  let decoded = namedEntities.get(name);
  if (decoded === undefined) {
    // Fenced by letters so that whitespace characters (nbsp) survive the converter's trimming.
    const text = convertPlain(`x&${name};x`);
    const inner = text.slice(1, -1);
    // HTML also decodes prefixes without a semicolon (`&notit;` as "¬it;"): that is no entity of this name.
    decoded =
      text.length < 3 || inner.includes('&') || /[A-Za-z0-9]/.test(inner) || (inner.length > 1 && inner.endsWith(';')) ? null : inner;
    if (namedEntities.size < 4096) namedEntities.set(name, decoded);
  }
  return decoded;
}
