// Filled in by the storage test support; kept so vitest.config.ts stays stable.
export default function setup(): void {}
