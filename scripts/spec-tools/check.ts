// Type-checks code written against the TypeScript types openapi-typescript generates
// from openapi.yaml (scripts/spec-tools.sh writes them to target/spec-tools/turso.d.ts).
// The @ts-expect-error lines prove the types are precise, not `any`.
import type { components, operations, paths } from "../../target/spec-tools/turso";

type ApiToken = components["schemas"]["ApiToken"];
const token: ApiToken = { id: "clGFZ4STEe6fljpFzIum8A", name: "ci-bot" };
const scope: components["schemas"]["Scope"] = "db:mint-token";
type ListOk = operations["listAPITokens"]["responses"][200]["content"]["application/json"];
const list: ListOk = { tokens: [token] };
const error: components["schemas"]["Error"] = { error: "not found" };
type MintQuery = NonNullable<operations["createDatabaseToken"]["parameters"]["query"]>;
const query: MintQuery = { expiration: "1d", authorization: "read-only" };
type Rotate = paths["/v1/organizations/{organizationSlug}/databases/{databaseName}/auth/rotate"]["post"];
type RotatePath = Rotate["parameters"]["path"];
const path: RotatePath = { organizationSlug: "my-org", databaseName: "my-db" };
// @ts-expect-error an unknown scope is not a Scope
const unknown: components["schemas"]["Scope"] = "db:mint";
// @ts-expect-error the error body requires `error`
const missing: components["schemas"]["Error"] = { code: "x" };
export { scope, list, error, query, path, unknown, missing };
