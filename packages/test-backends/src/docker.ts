// Whether a container engine answers, asked the way testcontainers itself looks for one (DOCKER_HOST,
// ~/.testcontainers.properties, the usual sockets), so we only choose containers when they would work.

let answer: Promise<boolean> | undefined;

export function dockerAnswers(): Promise<boolean> {
  answer ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  return answer;
}
