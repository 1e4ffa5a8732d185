/**
 * Schema-compiled JSON: each lane's document shape is fixed, so its serialiser is compiled once
 * into a single string concatenation. Constant parts are pre-rendered; an object whose fields all
 * come from one entity (`host`, `user`, `source`...) is pre-rendered per entity as a fragment.
 * No per-document object building and no JSON.stringify.
 */
import type { Entity, EntityKind } from './entities';

export type Serializer = (timestamp: string, entities: Entity[], n: number) => string;

type Slot = { kind: number; field: string; always: boolean };
/** A rendered piece: literal JSON text, JS code that evaluates to JSON text, or an entity field. */
type Piece = { text: string } | { code: string } | { slot: Slot };
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

/** The entity index when every leaf under `node` is an always-present field of that one entity. */
function singleEntity(node: Tree): number | undefined {
  let kind: number | undefined;
  for (const child of node.values()) {
    const k = child instanceof Map ? singleEntity(child) : 'slot' in child && child.slot.always ? child.slot.kind : undefined;
    if (k === undefined || (kind !== undefined && k !== kind)) return undefined;
    kind = k;
  }
  return kind;
}

function leafFields(node: Tree): string[] {
  return [...node.values()].flatMap((c) => (c instanceof Map ? leafFields(c) : 'slot' in c ? [c.slot.field] : []));
}

export interface Fragment { kind: number; signature: string; fields: string[]; depth: number }

function render(tree: Tree, fragments: Fragment[], depth = 0): Piece[] {
  const pieces: Piece[] = [{ text: '{' }];
  let first = true;
  for (const [key, node] of tree) {
    pieces.push({ text: `${first ? '' : ','}${JSON.stringify(key)}:` });
    first = false;
    if (!(node instanceof Map)) {
      pieces.push(node);
      continue;
    }
    const kind = singleEntity(node);
    if (kind === undefined) {
      pieces.push(...render(node, fragments, depth + 1));
      continue;
    }
    const fields = leafFields(node);
    const signature = fields.join(',');
    fragments.push({ kind, signature, fields, depth: depth + 1 });
    pieces.push({ code: `e[${kind}].fragments[${JSON.stringify(signature)}]` });
  }
  pieces.push({ text: '}' });
  return pieces;
}

/** Adjacent literal pieces become one JS string literal. */
function toExpression(pieces: Piece[]): string {
  const parts: string[] = [];
  let literal = '';
  for (const piece of pieces) {
    if ('text' in piece) {
      literal += piece.text;
      continue;
    }
    if (literal) parts.push(JSON.stringify(literal));
    literal = '';
    if ('code' in piece) parts.push(piece.code);
    else {
      const access = `e[${piece.slot.kind}].json[${JSON.stringify(piece.slot.field)}]`;
      parts.push(piece.slot.always ? access : `(${access} ?? 'null')`);
    }
  }
  if (literal) parts.push(JSON.stringify(literal));
  return parts.join(' + ');
}

/** Renders an entity's fields as the JSON object found `depth` levels down the document. */
export function renderFragment(entity: Entity, fields: string[], depth: number): string {
  const root: Record<string, unknown> = {};
  for (const field of fields) {
    const parts = field.split('.').slice(depth);
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = entity.fields[field];
  }
  return JSON.stringify(root);
}

export interface SerializerShape {
  constants: Record<string, unknown>;
  kinds: EntityKind[];
  /** Per kind (same order): the fields to write and whether every entity has them. */
  kindFields: { field: string; always: boolean }[][];
  randomFields: string[];
}

export function compileSerializer(shape: SerializerShape): { serialize: Serializer; fragments: Fragment[] } {
  const tree: Tree = new Map();
  insert(tree, '@timestamp', { code: `'"' + ts + '"'` });
  const entityFields = new Set(shape.kindFields.flat().map((f) => f.field));
  for (const [field, value] of Object.entries(shape.constants)) {
    if (value === undefined || entityFields.has(field)) continue;
    insert(tree, field, { text: JSON.stringify(value) });
  }
  shape.kindFields.forEach((fields, kind) => {
    for (const { field, always } of fields) insert(tree, field, { slot: { kind, field, always } });
  });
  for (const field of shape.randomFields) insert(tree, field, { code: RANDOM_FIELDS[field] });
  const fragments: Fragment[] = [];
  const expression = toExpression(render(tree, fragments));
  return { serialize: new Function('ts', 'e', 'n', `return ${expression};`) as Serializer, fragments };
}
