/**
 * What Terraform itself would reject in synthesized JSON before it plans anything, checked with
 * HashiCorp's own HCL parser (`@cdktf/hcl2json`, the Go parser compiled to WebAssembly):
 * - a meta-argument that must be a bare static reference (`depends_on`, `provider`,
 *   `lifecycle.replace_triggered_by`) written as a template (`${…}`);
 * - a string whose `${…}`/`%{…}` template does not parse.
 */
import { parse } from '@cdktf/hcl2json';

/** One place in a synthesized stack that Terraform would reject. */
export interface SyntaxFinding {
  /** Where: `resource.aws_lb_listener.x.depends_on[0]`. */
  readonly path: string;
  readonly value: string;
  readonly problem: string;
}

// `aws_lb.main`, `data.aws_iam_policy_document.x`, `module.m`, `var.v`; for `provider`, `aws` or `aws.alias`.
const BARE_REFERENCE =
  /^(data\.)?[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$|^(module|var|local)\.[A-Za-z_][A-Za-z0-9_-]*$/;
const PROVIDER_REFERENCE = /^[a-z][a-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)?$/;
// replace_triggered_by may also name an attribute or an instance: `aws_lb_target_group.blue.arn`.
const TRAVERSAL_REFERENCE =
  /^(data\.)?[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])*$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The meta-arguments of every resource and data block that must be bare references. */
export function metaArgumentFindings(stack: Record<string, unknown>): SyntaxFinding[] {
  const findings: SyntaxFinding[] = [];
  for (const kind of ['resource', 'data'] as const) {
    const byType = (stack[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    for (const [type, blocks] of Object.entries(byType)) {
      for (const [name, block] of Object.entries(blocks)) {
        const at = `${kind}.${type}.${name}`;
        const check = (path: string, value: unknown, pattern: RegExp) => {
          if (typeof value !== 'string' || !pattern.test(value)) {
            findings.push({
              path,
              value: String(value),
              problem: 'must be a bare static reference such as aws_lb.main (no ${…} template)',
            });
          }
        };
        ((block.depends_on ?? []) as unknown[]).forEach((value, index) =>
          check(`${at}.depends_on[${index}]`, value, BARE_REFERENCE),
        );
        if (block.provider !== undefined) check(`${at}.provider`, block.provider, PROVIDER_REFERENCE);
        const lifecycle = (block.lifecycle ?? {}) as Record<string, unknown>;
        ((lifecycle.replace_triggered_by ?? []) as unknown[]).forEach((value, index) =>
          check(`${at}.lifecycle.replace_triggered_by[${index}]`, value, TRAVERSAL_REFERENCE),
        );
      }
    }
  }
  return findings;
}

/** Every string in the stack that holds a template sequence, with its JSON path. */
export function templateStrings(stack: Json, path = ''): { path: string; value: string }[] {
  if (typeof stack === 'string') return /\$\{|%\{/.test(stack) ? [{ path, value: stack }] : [];
  if (Array.isArray(stack)) return stack.flatMap((item, index) => templateStrings(item, `${path}[${index}]`));
  if (stack && typeof stack === 'object') {
    return Object.entries(stack).flatMap(([key, value]) =>
      templateStrings(value, path ? `${path}.${key}` : key),
    );
  }
  return [];
}

async function parsesAsTemplate(value: string): Promise<string | undefined> {
  // A heredoc is a template with the same grammar as a JSON string, and needs no escaping.
  const delimiter = value.includes('\nEOT') ? 'SWITCHBACK_EOT' : 'EOT';
  try {
    await parse('synthesized.tf', `x = <<${delimiter}\n${value}\n${delimiter}\n`);
    return undefined;
  } catch (error) {
    return String(error).replace(/\s+/g, ' ').slice(0, 300);
  }
}

/** The strings of the stack whose templates HashiCorp's parser rejects. */
export async function templateFindings(stack: Record<string, unknown>): Promise<SyntaxFinding[]> {
  const findings: SyntaxFinding[] = [];
  for (const { path, value } of templateStrings(stack as Json)) {
    const problem = await parsesAsTemplate(value);
    if (problem) findings.push({ path, value: value.slice(0, 200), problem });
  }
  return findings;
}
