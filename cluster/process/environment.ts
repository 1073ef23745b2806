// The environment a component starts with. As neon_local does, it is rebuilt from a short list
// instead of inherited: a test runner's NODE_OPTIONS (loaders, coverage hooks) or a developer's
// stray variables must not change how a component behaves.

const PASS_THROUGH = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'FAILPOINTS', 'LLVM_PROFILE_FILE', 'ASAN_OPTIONS', 'UBSAN_OPTIONS'];
const PASS_THROUGH_PREFIXES = ['RUST_', 'NEON_', 'AWS_', 'AZURE_'];

export function componentEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (PASS_THROUGH.includes(key) || PASS_THROUGH_PREFIXES.some((p) => key.startsWith(p))) env[key] = value;
  }
  env['RUST_BACKTRACE'] ??= '1';
  return { ...env, ...extra };
}
