/**
 * Guards against YAML that is small on disk but costly to parse: deep flow
 * nesting (`[[[[...`), which makes the `yaml` parser run out of memory long
 * before the composer's own stack guard, and deep nesting of any kind, which
 * no spec needs (the deepest real field is about five levels down).
 */
import { CST, Lexer, isAlias, isCollection, isPair, type Document } from 'yaml';

/** Deepest nesting a spec may have, counting every mapping and list. @default 64 */
export const MAX_DEPTH = 64;

/**
 * The byte offset where flow nesting (`[` and `{`) first goes deeper than
 * `max`, or undefined. Uses the YAML lexer, so brackets inside quoted text,
 * comments and block scalars do not count.
 */
export function flowTooDeepAt(text: string, max = MAX_DEPTH): number | undefined {
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= max; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
  }
  // Fewer brackets in the whole text than the limit: no need to lex.
  if (brackets <= max) return undefined;
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      depth++;
      if (depth > max) return offset;
    } else if ((type === 'flow-seq-end' || type === 'flow-map-end') && depth > 0) {
      depth--;
    }
    // Marker tokens (document start, scalar start, flow error end) take no room in the text.
    if (token !== CST.DOCUMENT && token !== CST.SCALAR && token !== CST.FLOW_END) offset += token.length;
  }
  return undefined;
}

/**
 * The source offset of the first node nested deeper than `max` in a composed
 * document, or undefined. Aliases are not followed: their targets are counted
 * where they are defined.
 */
export function nodeTooDeepAt(doc: Document, max = MAX_DEPTH): number | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node) || isAlias(node)) continue;
    if (depth + 1 > max) return node.range?.[0];
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else {
        stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
