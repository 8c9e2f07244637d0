/**
 * The pure parts of the language-binding scripts (scripts/bindings): what may differ between a
 * TypeScript and a Python synth, the comparison that names where they differ, and how the build
 * script reads its targets and a failed build. The builds themselves run in `npm run test:bindings`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { differences, normalizeStack } from '../../scripts/bindings/normalize';
import { compareSynths, printedFindings } from '../../scripts/bindings/python';
import { failureReason, parseTargets } from '../../scripts/bindings/build';
import { phases } from '../../scripts/phases';

const stack = (hash: string, extra: Record<string, unknown> = {}) => ({
  '//': { metadata: { stackName: 'checkout', stackTrace: ['at python'] } },
  resource: {
    aws_lambda_function: {
      Watchdog_Function: {
        filename: `assets/Watchdog_Bundle_ABCD1234/${hash}/archive.zip`,
        memory_size: 256,
        ...extra,
      },
    },
  },
});

describe('the TypeScript and Python synths', () => {
  it('are equal when only asset hash directories and stack traces differ', () => {
    const typescript = new Map<string, unknown>([['checkout', stack('0833D28350AB6B2C6DB877AA43626171')]]);
    const fromPython = stack('C563012F2C9D5DA134166E38EA3C3C0E');
    const python = new Map<string, unknown>([
      ['checkout', { ...fromPython, '//': { metadata: { stackName: 'checkout' } } }],
    ]);
    expect(compareSynths(typescript, python)).toEqual([]);
  });

  it('differ on any other value, named by its path, and on a stack only one language made', () => {
    const typescript = new Map<string, unknown>([['checkout', stack('0833D28350AB6B2C6DB877AA43626171')]]);
    const python = new Map<string, unknown>([
      ['checkout', stack('0833D28350AB6B2C6DB877AA43626171', { memory_size: 512 })],
      ['extra', {}],
    ]);
    expect(compareSynths(typescript, python)).toEqual([
      'stack checkout.resource.aws_lambda_function.Watchdog_Function.memory_size: 256 !== 512 (TypeScript !== Python)',
      'stack extra: only in Python',
    ]);
  });

  it('normalize keys into one order, so key order alone is no difference', () => {
    expect(JSON.stringify(normalizeStack({ b: 1, a: { d: 2, c: 3 } }))).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(differences({ a: [1, 2] }, { a: [1, 3] })).toEqual(['$.a.1: 2 !== 3']);
    expect(differences({ a: 1 }, {})).toEqual(['$.a: 1 !== missing']);
  });
});

describe('the binding build script', () => {
  it('builds python, java and go unless told, and refuses an unknown target by name', () => {
    expect(parseTargets([])).toEqual(['python', 'java', 'go']);
    expect(parseTargets(['--targets', 'python,dotnet'])).toEqual(['python', 'dotnet']);
    expect(() => parseTargets(['--targets', 'python,rust'])).toThrow(
      "--targets takes a comma-separated list of python, java, go, dotnet; got 'python,rust'",
    );
    expect(() => parseTargets(['--targets'])).toThrow(/got ''/);
  });

  it("reports a failed build by Maven's or Go's resolution error, without colors or prefixes", () => {
    const maven =
      '#STDOUT> \u001b[0m[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project x: No versions available for com.hashicorp:cdktf-provider-aws:jar:[21.22.1,22.0.0)';
    expect(failureReason(`noise\n${maven}\nmore noise`)).toBe(
      '[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project x: No versions available for com.hashicorp:cdktf-provider-aws:jar:[21.22.1,22.0.0)',
    );
    expect(
      failureReason(
        '#STDERR> go: github.com/cdktf/cdktf-provider-aws-go/aws/v21@v21.22.1: reading https://proxy.golang.org/…: 403 Forbidden',
      ),
    ).toBe(
      'go: github.com/cdktf/cdktf-provider-aws-go/aws/v21@v21.22.1: reading https://proxy.golang.org/…: 403 Forbidden',
    );
    expect(failureReason('something else broke')).toBe('see the output above');
  });
});

describe('the package metadata Construct Hub reads', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as Record<
    string,
    unknown
  > & {
    jsii: { targets: Record<string, unknown> };
    files: string[];
    keywords: string[];
    dependencies: Record<string, string>;
    bundleDependencies: string[];
  };

  it('names the framework, the license, the author and repository, and ships the assembly', () => {
    expect(pkg.keywords).toContain('cdktf');
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.author).toEqual(expect.objectContaining({ name: expect.any(String) }));
    expect(pkg.repository).toEqual(
      expect.objectContaining({ type: 'git', url: expect.stringMatching(/^https:/) }),
    );
    expect(pkg.files).toContain('.jsii');
    expect(Object.keys(pkg.jsii.targets).sort()).toEqual(['dotnet', 'go', 'java', 'python']);
  });

  it('bundles every runtime dependency that is not a jsii module, as jsii requires', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...pkg.bundleDependencies].sort());
    expect(pkg).not.toHaveProperty('bundledDependencies');
  });
});

describe('the findings an app prints', () => {
  it('are read from its last FINDINGS line, or are undefined', () => {
    expect(printedFindings('noise\nFINDINGS [{"ruleId":"A"}]\nFINDINGS [{"ruleId":"B"}]\n')).toEqual([
      { ruleId: 'B' },
    ]);
    expect(printedFindings('nothing printed')).toBeUndefined();
  });
});

describe('the phases of a check script', () => {
  it('return what each phase returned, and table their times with the total', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { phase, table } = phases();
    expect(phase('first', () => 41 + 1)).toBe(42);
    phase('second', () => undefined);
    log.mockRestore();
    const lines = table();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ +\d+\.\d s {2}first$/);
    expect(lines[2]).toMatch(/^ +\d+\.\d s {2}total$/);
  });
});
