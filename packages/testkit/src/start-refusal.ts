/**
 * What a start that should fail failed with, or undefined when it started after all (it is then
 * stopped again, so a test that expected a refusal leaves nothing running behind it).
 */
export function startRefusal(starting: Promise<{ stop(): Promise<void> }>): Promise<unknown> {
  return starting.then(
    async (started) => {
      await started.stop();
      return undefined;
    },
    (error: unknown) => error,
  );
}
