/**
 * `uuid` for Jest: uuid 12+ ships only ES modules, which Jest's CommonJS runtime cannot load; EUI
 * uses v1/v4 for generated ids.
 */
import { randomUUID } from 'node:crypto';

export const v4 = (): string => randomUUID();
export const v1 = (): string => randomUUID();
