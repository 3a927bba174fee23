import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

// The README shows the few lines a downstream Nest service needs to take the event stream. They
// must stay true: the block is compiled, with the repository's settings, against the real
// @app/transport and @nestjs/microservices.
const ROOT = join(__dirname, '..', '..');

function readmeConsumerBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### A downstream Nest service'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md has no ts block under "A downstream Nest service"');
  return block[1];
}

function compileErrors(file: string, source: string): string[] {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  // Top-level await, as in an ES module entry point.
  Object.assign(options, { module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true });
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file);
  return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)].map(
    (d) => `${d.start === undefined ? '' : `${(sourceFile?.getLineAndCharacterOfPosition(d.start).line ?? 0) + 1}: `}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
}

describe("the README's downstream consumer", () => {
  const block = readmeConsumerBlock();
  const file = join(ROOT, 'test', 'transport', '__readme_consumer__.ts');

  it('subscribes with @EventPattern on the Redis Streams transport', () => {
    expect(block).toContain("@EventPattern('payment.approved')");
    expect(block).toMatch(/new RedisStreamsServer\(\{ url: .+, stream: 'ecr-bridge:events', group: .+ \}\)/);
    expect(block).toContain("from '@app/transport'");
  });

  it('compiles against the real transport', () => {
    expect(compileErrors(file, block)).toEqual([]);
  }, 60_000);

  it('would not compile with a name the transport does not have', () => {
    const wrong = block.replace('new RedisStreamsServer({', 'new RedisStreamServer({');
    expect(compileErrors(file, wrong).join('\n')).toMatch(/RedisStreamServer/);
  }, 60_000);
});
