/** The API rules jsii does not check (scripts/docs/api-rules.ts), on small made-up assemblies. */
import { apiRuleViolations, type Assembly } from '../../scripts/docs/api-rules';

const number = { primitive: 'number' };
const string = { primitive: 'string' };

function struct(properties: unknown[]): Assembly {
  return {
    types: { 'pkg.Props': { fqn: 'pkg.Props', kind: 'interface', datatype: true, properties } },
  } as Assembly;
}

describe('the public API rules', () => {
  it('accept durations that name their unit, and counts that merely contain a time word', () => {
    expect(
      apiRuleViolations(
        struct([
          { name: 'timeoutMs', type: number, optional: true, docs: { default: '2000' } },
          { name: 'intervalSeconds', type: number },
          { name: 'evaluationWindowMinutes', type: number },
          { name: 'deleteAfterDays', type: number },
          { name: 'evaluationPeriods', type: number },
          { name: 'timeout', type: string },
        ]),
      ),
    ).toEqual([]);
  });

  it('refuse a numeric duration named by a bare time word, on props and on method parameters', () => {
    const assembly = {
      types: {
        'pkg.Props': {
          fqn: 'pkg.Props',
          kind: 'interface',
          datatype: true,
          properties: [
            { name: 'timeout', type: number },
            { name: 'bakeTime', type: number },
            { name: 'retention', type: number },
          ],
        },
        'pkg.Thing': {
          fqn: 'pkg.Thing',
          kind: 'class',
          methods: [{ name: 'wait', parameters: [{ name: 'delay', type: number }] }],
        },
      },
    } as Assembly;
    expect(apiRuleViolations(assembly)).toEqual([
      'pkg.Props.bakeTime: a duration must name its unit (…Ms, …Seconds, …Minutes, …Days)',
      'pkg.Props.retention: a duration must name its unit (…Ms, …Seconds, …Minutes, …Days)',
      'pkg.Props.timeout: a duration must name its unit (…Ms, …Seconds, …Minutes, …Days)',
      'pkg.Thing.wait(delay): a duration must name its unit (…Ms, …Seconds, …Minutes, …Days)',
    ]);
  });

  it('refuse an optional struct prop without @default', () => {
    expect(apiRuleViolations(struct([{ name: 'port', type: number, optional: true }]))).toEqual([
      'pkg.Props.port: an optional prop must document its @default',
    ]);
  });
});
