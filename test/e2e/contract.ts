/**
 * The OpenAPI document as a contract the e2e runs hold the app to: every answer is checked against the
 * document the app serves at /api/docs-json, for its route, status and media type. An answer the
 * document does not describe (a status it does not list, a field it does not name, a missing one, a
 * wrong type) fails the request that got it. Objects are closed here (no undocumented fields), since
 * a client generated from the document would not see them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;
type MediaType = { readonly schema?: Schema };
type ResponseObject = { readonly content?: Record<string, MediaType> };
type Operation = { readonly responses: Record<string, ResponseObject> };
export type OpenApiDocument = {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { readonly schemas?: Record<string, Schema> };
};

const COMPONENT = '#/components/schemas/';
const DEFINITIONS = 'urn:observa:openapi';

/**
 * An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a union with null, references point into
 * the definitions registered with Ajv, objects with properties admit no others.
 */
const jsonSchemaOf = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, example: _example, examples: _examples, ...rest } = schema as Schema;
  const converted: Schema = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT)
        ? `${DEFINITIONS}#/$defs/${value.slice(COMPONENT.length)}`
        : // `properties` maps names to schemas: its keys are not keywords.
          key === 'properties'
          ? Object.fromEntries(
              Object.entries(value as Schema).map(([name, item]) => [name, jsonSchemaOf(item)]),
            )
          : jsonSchemaOf(value),
    ]),
  );
  if (converted.properties && converted.additionalProperties === undefined)
    converted.additionalProperties = false;
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
};

/** `/api/v1/missions/{missionId}` as a pattern of real paths; literal segments win over parameters. */
const routesOf = (document: OpenApiDocument) =>
  Object.entries(document.paths)
    .flatMap(([template, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method,
        template,
        operation,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        parameters: (template.match(/\{/g) ?? []).length,
      })),
    )
    .sort((a, b) => a.parameters - b.parameters);

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/;

/** An HTTP answer as supertest has it (and as the typed-client spec builds it from a fetch Response). */
export type Answer = {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body parsed, for JSON media types. */
  readonly body: unknown;
  readonly text: string;
};

export type AnswerCheck = (method: string, url: string, response: Answer) => void;

/** Checks answers against `document`; throws an Error naming the route and what the document says. */
export const contractOf = (document: OpenApiDocument): AnswerCheck => {
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
  addFormats.default(ajv);
  ajv.addSchema({
    $id: DEFINITIONS,
    $defs: Object.fromEntries(
      Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => [
        name,
        jsonSchemaOf(schema),
      ]),
    ),
  });
  const routes = routesOf(document);
  const validators = new Map<Schema, ValidateFunction>();
  const validatorOf = (schema: Schema): ValidateFunction => {
    let validate = validators.get(schema);
    if (!validate) validators.set(schema, (validate = ajv.compile(jsonSchemaOf(schema) as Schema)));
    return validate;
  };
  const problemSchema = { $ref: `${COMPONENT}Problem` };
  const says = (errors: ErrorObject[] | null | undefined): string =>
    (errors ?? [])
      .map((e) => `${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`)
      .join('; ');

  return (method, url, response) => {
    const path = new URL(url).pathname;
    const verb = method.toLowerCase();
    // The document itself and CORS preflights are not operations of the API.
    if (path.startsWith('/api/docs') || verb === 'options') return;
    const mediaType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const body = response.body as unknown;
    const route = routes.find((r) => r.method === verb && r.pattern.test(path));
    const where = `${method.toUpperCase()} ${path} answered ${response.status} ${mediaType}`;
    if (!route) {
      // No such operation: Nest's own 404, which must still be a problem.
      if (response.status !== 404 || mediaType !== 'application/problem+json')
        throw new Error(`${where}, but the OpenAPI document has no such operation`);
      const validate = validatorOf(problemSchema);
      if (!validate(body)) throw new Error(`${where}: not a Problem: ${says(validate.errors)}`);
      return;
    }
    const documented = route.operation.responses[String(response.status)];
    if (!documented)
      throw new Error(
        `${where}, a status the OpenAPI document does not list for ${verb.toUpperCase()} ${route.template} ` +
          `(it lists ${Object.keys(route.operation.responses).join(', ')}): ${response.text.slice(0, 300)}`,
      );
    if (!documented.content) {
      if (response.text) throw new Error(`${where} with a body the OpenAPI document does not describe`);
      return;
    }
    // A documented media type may carry parameters (`text/plain; version=0.0.4`): the type decides.
    const content = Object.entries(documented.content).find(
      ([type]) => type.split(';')[0].trim().toLowerCase() === mediaType,
    )?.[1];
    if (!content)
      throw new Error(
        `${where}; the OpenAPI document says ${Object.keys(documented.content).join(', ')} for ${route.template}`,
      );
    if (!content.schema) return;
    const validate = validatorOf(content.schema);
    const value = JSON_TYPE.test(mediaType) ? body : response.text;
    if (!validate(value))
      throw new Error(
        `${where}, which does not match the OpenAPI document for ${route.template}: ${says(validate.errors)}\n` +
          `body: ${response.text.slice(0, 500)}`,
      );
  };
};
