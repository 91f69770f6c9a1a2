/**
 * The arrows between packages and modules point one way (STYLE.md, "Layering": examples → collector →
 * openrouter → clickhouse → instrumentation, pricing → semconv), and the shared vocabulary has one home.
 * Read from the sources with the TypeScript parser, so comments and docs never count as code.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');
const packageDirs = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as PackageJson;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(packagesDir, dir, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(packagesDir, dir, 'src', file));
}

const parsed = new Map<string, ts.SourceFile>();
function parse(file: string): ts.SourceFile {
  let source = parsed.get(file);
  if (!source) {
    source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    parsed.set(file, source);
  }
  return source;
}

/** Module specifiers of a file's static `import` / `export … from` declarations. */
function importsOf(source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier) {
      if (ts.isStringLiteral(statement.moduleSpecifier)) specifiers.push(statement.moduleSpecifier.text);
    }
  }
  return specifiers;
}

/** Every string and template-literal text in a file (comments excluded). */
function stringsOf(source: ts.SourceFile): string[] {
  const texts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) texts.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return texts;
}

/** The cycles of a directed graph, each as the path that closes it. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

describe('layering', () => {
  it('@llm-cost/semconv depends on no other @llm-cost package', () => {
    const pkg = readPackageJson('semconv');
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => d.startsWith('@llm-cost/'))).toEqual([]);
    const imported = sourceFiles('semconv').flatMap((file) => importsOf(parse(file)));
    expect(imported.filter((specifier) => specifier.startsWith('@llm-cost/'))).toEqual([]);
  });

  it('every @llm-cost package a source imports is declared, and the packages form no cycle', () => {
    const graph = new Map<string, string[]>();
    const undeclared: string[] = [];
    for (const dir of packageDirs) {
      const pkg = readPackageJson(dir);
      const declared = { ...pkg.dependencies, ...pkg.peerDependencies };
      graph.set(pkg.name, Object.keys(declared).filter((name) => name.startsWith('@llm-cost/')));
      for (const file of sourceFiles(dir)) {
        for (const specifier of importsOf(parse(file))) {
          // The instrumentation's preload entry imports the package by its own name (see its tsup config).
          if (!specifier.startsWith('@llm-cost/') || specifier === pkg.name) continue;
          if (!(specifier in declared)) undeclared.push(`${relative(root, file)} imports ${specifier}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('no two modules of a package import each other, directly or round about', () => {
    const graph = new Map<string, string[]>();
    for (const dir of packageDirs) {
      for (const file of sourceFiles(dir)) {
        const relativeImports = importsOf(parse(file)).filter((specifier) => specifier.startsWith('.'));
        graph.set(
          relative(root, file),
          relativeImports.map((specifier) => relative(root, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))),
        );
      }
    }
    expect(cyclesOf(graph)).toEqual([]);
  });

  it("a 'gen_ai.' attribute name is written out only in @llm-cost/semconv", () => {
    const outside = packageDirs
      .filter((dir) => dir !== 'semconv')
      .flatMap((dir) =>
        sourceFiles(dir).flatMap((file) =>
          stringsOf(parse(file))
            .filter((text) => text.includes('gen_ai.'))
            .map((text) => `${relative(root, file)}: ${JSON.stringify(text)}`),
        ),
      );
    expect(outside).toEqual([]);
  });
});
