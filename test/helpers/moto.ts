// Tests start moto_server the way `scenario run --remote-storage moto` does.
export { startMoto, type Moto } from '../../scenarios/runner/moto-server.ts';
