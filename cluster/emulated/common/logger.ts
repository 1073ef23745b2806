// Log lines in the shape Neon's services print (`<RFC 3339 time>  INFO message key=value`), on
// stdout, which the harness appends to the component's .log file.

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

function format(level: Level, message: string, fields?: Record<string, unknown>): string {
  const extra = fields
    ? Object.entries(fields)
        .map(([k, v]) => ` ${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
        .join('')
    : '';
  return `${new Date().toISOString()} ${level.padStart(5)} ${message}${extra}\n`;
}

export const log = {
  debug(message: string, fields?: Record<string, unknown>): void {
    if (process.env['NEON_LOCAL_DEBUG']) process.stdout.write(format('DEBUG', message, fields));
  },
  info(message: string, fields?: Record<string, unknown>): void {
    process.stdout.write(format('INFO', message, fields));
  },
  warn(message: string, fields?: Record<string, unknown>): void {
    process.stdout.write(format('WARN', message, fields));
  },
  error(message: string, fields?: Record<string, unknown>): void {
    process.stdout.write(format('ERROR', message, fields));
  },
};
