import { describe, expect, it } from 'vitest';
import { readBakeArgs, readFinalStage } from './dockerfile.js';

const DOCKERFILE = `
ARG NODE_VERSION=24
FROM node:\${NODE_VERSION} AS build
ENV BUILD_ONLY=1
USER 1000
RUN echo build stage, shell form: not ours to run

# the final stage
FROM gcr.io/distroless/nodejs\${NODE_VERSION}-debian12:nonroot
ARG VARIANT
ARG HEAP=32
ENV SOCKET=/var/run/x.sock
ENV OPTIONS="--a=1 --heap=\${HEAP}" \\
    # a comment inside a continuation is dropped
    PLAIN=2 \\
    ESCAPED=a\\ b
USER 65532:65532
RUN ["/nodejs/bin/node", "/app/warm.mjs", "/app/$VARIANT.cjs"]
ENV LATE=/app/cache
ENTRYPOINT ["/nodejs/bin/node", "/app/main.cjs"]
`;

describe('readFinalStage', () => {
  it('reads the last stage: environment, user, exec-form steps with the environment they see, entrypoint', () => {
    const stage = readFinalStage(DOCKERFILE, { HEAP: '24', VARIANT: 'v' });
    expect(stage.env).toEqual({
      SOCKET: '/var/run/x.sock',
      OPTIONS: '--a=1 --heap=24',
      PLAIN: '2',
      ESCAPED: 'a b',
      LATE: '/app/cache',
    });
    expect(stage.user).toBe('65532:65532');
    expect(stage.run).toEqual([
      {
        // RUN takes the exec form verbatim: Docker substitutes no variables there.
        argv: ['/nodejs/bin/node', '/app/warm.mjs', '/app/$VARIANT.cjs'],
        env: { SOCKET: '/var/run/x.sock', OPTIONS: '--a=1 --heap=24', PLAIN: '2', ESCAPED: 'a b' },
        user: '65532:65532',
      },
    ]);
    expect(stage.entrypoint).toEqual(['/nodejs/bin/node', '/app/main.cjs']);
  });

  it('uses ARG defaults when no build arg is given', () => {
    expect(readFinalStage(DOCKERFILE, {}).env.OPTIONS).toBe('--a=1 --heap=32');
  });

  it('refuses a shell-form RUN in the final stage (distroless has no shell)', () => {
    expect(() => readFinalStage('FROM x\nRUN echo hi\n', {})).toThrow(/only the exec form/);
  });
});

describe('readBakeArgs', () => {
  const HCL = `
target "_common" {
  dockerfile = "images/Dockerfile"
}

target "redis" {
  inherits = ["_common"]
  args     = { VARIANT = "redis", HEAP = "24" }
}

target "s3" {
  args = { VARIANT = "s3" }
}
`;

  it("returns one target's args", () => {
    expect(readBakeArgs(HCL, 'redis')).toEqual({ VARIANT: 'redis', HEAP: '24' });
    expect(readBakeArgs(HCL, 's3')).toEqual({ VARIANT: 's3' });
  });

  it('fails for a target that is not there', () => {
    expect(() => readBakeArgs(HCL, 'memory')).toThrow('no target "memory"');
  });
});
