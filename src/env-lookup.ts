// Environment look-ups in one place. On Windows variable names are case-insensitive, and a copy of
// process.env (which the guard passes around) keeps the spelling Windows gave it: PATH is "Path".
// Reading env.PATH from such a copy finds nothing; setting it adds a second variable.

/** The name env uses for this variable (its own spelling on Windows), or the name itself. */
export function envKey(
  env: NodeJS.ProcessEnv,
  name: string,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform !== "win32" || Object.hasOwn(env, name)) return name;
  const upper = name.toUpperCase();
  return Object.keys(env).find((k) => k.toUpperCase() === upper) ?? name;
}

export function envValue(
  env: NodeJS.ProcessEnv,
  name: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  return env[envKey(env, name, platform)];
}

/** A copy of env with the variable set, under the spelling env already has for it. */
export function withEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  value: string,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  return { ...env, [envKey(env, name, platform)]: value };
}
