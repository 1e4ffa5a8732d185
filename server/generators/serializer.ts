/**
 * Schema-compiled JSON: each lane's document shape is fixed, so its serialiser is compiled
 * once into a single string concatenation. Constant parts are pre-rendered; entity fields are
 * JSON strings rendered when the entity was built. No per-document object or JSON.stringify.
 */
import type { Entity, EntityKind } from './entities';

export type Serializer = (timestamp: string, entities: Entity[], n: number) => string;

type Leaf = { code: string };
/** A rendered piece: literal JSON text, or JS code that evaluates to JSON text. */
type Piece = { text: string } | Leaf;
type Tree = Map<string, Tree | Piece>;

/** Fields filled from the per-document random integer `n`. */
const RANDOM_FIELDS: Record<string, string> = {
  'process.pid': '(1000 + n % 60000)',
  'source.port': '(1024 + n % 60000)',
};

function insert(tree: Tree, field: string, leaf: Piece): void {
  const parts = field.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    let next = node.get(part);
    if (!next || !(next instanceof Map)) {
      next = new Map();
      node.set(part, next);
    }
    node = next;
  }
  node.set(parts[parts.length - 1], leaf);
}

function render(tree: Tree): Piece[] {
  const pieces: Piece[] = [{ text: '{' }];
  let first = true;
  for (const [key, node] of tree) {
    pieces.push({ text: `${first ? '' : ','}${JSON.stringify(key)}:` });
    first = false;
    if (node instanceof Map) pieces.push(...render(node));
    else pieces.push(node);
  }
  pieces.push({ text: '}' });
  return pieces;
}

/** Adjacent literal pieces become one JS string literal; code pieces stay as they are. */
function toExpression(pieces: Piece[]): string {
  const parts: string[] = [];
  let literal = '';
  for (const piece of pieces) {
    if ('text' in piece) literal += piece.text;
    else {
      if (literal) parts.push(JSON.stringify(literal));
      literal = '';
      parts.push(piece.code);
    }
  }
  if (literal) parts.push(JSON.stringify(literal));
  return parts.join(' + ');
}

export interface SerializerShape {
  constants: Record<string, unknown>;
  kinds: EntityKind[];
  /** Per kind (same order): the fields to write and whether every entity has them. */
  kindFields: { field: string; always: boolean }[][];
  randomFields: string[];
}

export function compileSerializer(shape: SerializerShape): Serializer {
  const tree: Tree = new Map();
  insert(tree, '@timestamp', { code: `'"' + ts + '"'` });
  const entityFields = new Set(shape.kindFields.flat().map((f) => f.field));
  for (const [field, value] of Object.entries(shape.constants)) {
    if (value === undefined || entityFields.has(field)) continue;
    insert(tree, field, { text: JSON.stringify(value) });
  }
  shape.kindFields.forEach((fields, i) => {
    for (const { field, always } of fields) {
      const access = `e[${i}].json[${JSON.stringify(field)}]`;
      insert(tree, field, { code: always ? access : `(${access} ?? 'null')` });
    }
  });
  for (const field of shape.randomFields) insert(tree, field, { code: RANDOM_FIELDS[field] });
  return new Function('ts', 'e', 'n', `return ${toExpression(render(tree))};`) as Serializer;
}

export const randomFieldNames = Object.keys(RANDOM_FIELDS);
