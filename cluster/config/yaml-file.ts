// Reads YAML through a decoder and turns any problem into a ConfigError that names the file, the
// line and the key, e.g. `cluster.yaml:14: pageservers[1].listen_http_addr: invalid value: ...`.

import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node } from 'yaml';
import { DecodeError, formatPath, type Decoder, type PathSegment } from '../util/decode.ts';
import { NeonLocalError } from '../util/errors.ts';

export function decodeYaml<T>(text: string, decoder: Decoder<T>, fileName: string, hint: string): T {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line } = lineCounter.linePos(yamlError.pos[0]);
    throw new NeonLocalError('config', `${fileName}:${line}: not valid YAML: ${firstLine(yamlError.message)}`, { hint });
  }
  try {
    return decoder(doc.toJS() ?? {}, []);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    const line = lineOf(doc, err.path, lineCounter);
    const where = err.path.length ? `${formatPath(err.path)}: ` : '';
    throw new NeonLocalError('config', `${fileName}${line ? `:${line}` : ''}: ${where}${err.reason}`, { hint });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** The line of the deepest node on `path` that exists in the document (1-based), if any. */
function lineOf(doc: Document, path: PathSegment[], lineCounter: LineCounter): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
