/**
 * The OpenFaaS stack file (stack.yml) as a zod schema, written from the
 * reference at https://docs.openfaas.com/reference/yaml/ and faas-cli's own
 * `stack` types (openfaas/faas-cli stack/schema.go): `version` "1.0",
 * `provider.name` "openfaas", function names that are DNS labels, and per
 * function the fields the reference lists. Objects are strict, so a misspelt
 * field fails instead of being ignored as faas-cli would ignore it.
 *
 * Two choices stricter than faas-cli: maps of strings (environment, labels,
 * annotations, build_args) must hold strings (quote "1"), so the file reads
 * the same to every YAML parser; and Kubernetes label rules apply to labels,
 * since faas-netes passes them to the pods.
 */
import { z } from 'zod';
import YAML, { type Scalar } from 'yaml';

/** RFC 1035 label, as the reference requires of function names. */
const DnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label: a-z, 0-9 and "-", at most 63 characters');
/** Kubernetes object names (secrets are Kubernetes Secrets). */
const DnsSubdomain = z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS subdomain name');
/** Kubernetes quantities; the reference asks for "Mi"-style memory on Kubernetes. */
const Quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'a Kubernetes quantity such as 128Mi or 250m');
const LabelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, 'a Kubernetes label key');
const LabelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, 'a Kubernetes label value (63 characters or less, alphanumeric at both ends)');
const StringMap = z.record(z.string().min(1), z.string());

const Resources = z.strictObject({ memory: Quantity.optional(), cpu: Quantity.optional() });

export const OpenFaasFunction = z.strictObject({
  lang: z.string().min(1),
  handler: z.string().min(1),
  image: z.string().min(1),
  fprocess: z.string().optional(),
  skip_build: z.boolean().optional(),
  build_options: z.array(z.string()).optional(),
  build_args: StringMap.optional(),
  environment: StringMap.optional(),
  environment_file: z.array(z.string().min(1)).optional(),
  secrets: z.array(DnsSubdomain).optional(),
  readonly_root_filesystem: z.boolean().optional(),
  constraints: z.array(z.string()).optional(),
  labels: z.record(LabelKey, LabelValue).optional(),
  annotations: StringMap.optional(),
  limits: Resources.optional(),
  requests: Resources.optional(),
  namespace: DnsLabel.optional(),
  registry_auth: z.string().optional(),
});
export type OpenFaasFunction = z.infer<typeof OpenFaasFunction>;

export const OpenFaasStack = z.strictObject({
  version: z.literal('1.0'),
  provider: z.strictObject({
    name: z.literal('openfaas'),
    gateway: z.url().optional(),
    network: z.string().optional(),
  }),
  functions: z.record(DnsLabel, OpenFaasFunction),
  configuration: z
    .strictObject({
      templates: z.array(z.strictObject({ name: z.string().min(1), source: z.string().optional() })).optional(),
      copy: z.array(z.string()).optional(),
    })
    .optional(),
});
export type OpenFaasStack = z.infer<typeof OpenFaasStack>;

/**
 * Parses stack-file text and validates it. YAML 1.2 reads `version: 1.0` as
 * the number 1 while faas-cli reads the text "1.0", so `version` is taken as
 * written. Throws a ZodError listing every problem.
 */
export function parseStack(text: string): OpenFaasStack {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw new Error(`stack file is not YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
  const data = doc.toJS() as Record<string, unknown> | null;
  const version = doc.get('version', true) as Scalar | undefined;
  if (data && version) data.version = version.source ?? String(version.value);
  return OpenFaasStack.parse(data);
}
