/**
 * The scenario server of tests/support/typed_scenario.ts as a Durable Object
 * behind its Worker, for tests/typed_server.test.ts under Miniflare: the
 * scenario comes as JSON in the `SCENARIO` binding, every connection goes to
 * one object, and `GET /events` answers what the object's hooks saw.
 */
import { durableObject, type DurableObjectNamespace, worker } from "../../src/server/cloudflare/mod.ts";
import { type Scenario, type ScenarioEvent, scenarioServer } from "../support/typed_scenario.ts";

interface Env {
  readonly SCENARIO: string;
  readonly SCENARIOS: DurableObjectNamespace;
}

const events: ScenarioEvent[] = [];
const build = (env: Env) => scenarioServer(JSON.parse(env.SCENARIO) as Scenario, (event) => events.push(event));
const theObject = (env: Env) => env.SCENARIOS.get(env.SCENARIOS.idFromName("scenario"));

export const ScenarioObject = durableObject<Env>({
  server: (_ctx, env) => build(env),
  fetch: () => Response.json(events),
});

export default worker({
  server: build,
  namespace: (env: Env) => env.SCENARIOS,
  route: () => ({ object: "scenario" }),
  fetch: (request, env) => theObject(env).fetch(request),
});
