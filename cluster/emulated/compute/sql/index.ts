// The emulated compute's SQL dialect: statement splitting and parsing into a typed AST.

export type * from './ast.ts';
export { SUPPORTED_SQL } from './errors.ts';
export { parseStatement } from './parser.ts';
export { splitStatements } from './split.ts';
