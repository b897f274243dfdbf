// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
//
// Validates Kubernetes objects against the JSON schemas shipped in kubernetes-models.
//   node validate.mjs [FILE...]      (no FILE or "-": read standard input)
// Every YAML document must be an object whose apiVersion/kind has a model; any unknown kind,
// YAML error or schema violation is reported and makes the exit status 1.
// Exit status: 0 all valid, 1 invalid input, 2 usage error.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// Where models for an apiVersion are looked up, in order. CRDs need a package of their own.
const MODEL_PACKAGES = ["kubernetes-models", "@kubernetes-models/prometheus-operator"];

const modelCache = new Map();

async function findModel(apiVersion, kind) {
  const key = `${apiVersion} ${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model = null;
  for (const pkg of MODEL_PACKAGES) {
    let mod;
    try {
      mod = await import(`${pkg}/${apiVersion}`);
    } catch {
      continue; // this package has no such group/version
    }
    const candidate = mod[kind];
    if (typeof candidate === "function" && candidate.kind === kind &&
        candidate.apiVersion === apiVersion) {
      model = candidate;
      break;
    }
  }
  modelCache.set(key, model);
  return model;
}

function describe(obj) {
  const name = obj?.metadata?.name ?? "(no name)";
  return `${obj?.kind ?? "(no kind)"}/${name}`;
}

async function validateText(text, source) {
  const problems = [];
  let count = 0;
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { count, problems: [`${source}: not YAML`] };
  for (const [i, doc] of docs.entries()) {
    const where = `${source}: document ${i + 1}`;
    if (doc.errors.length > 0) {
      problems.push(`${where}: YAML error: ${doc.errors[0].message.split("\n")[0]}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue; // empty document, e.g. after a final ---
    if (typeof obj !== "object" || Array.isArray(obj)) {
      problems.push(`${where}: not a Kubernetes object (a mapping with apiVersion and kind)`);
      continue;
    }
    count++;
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      problems.push(`${where} ${describe(obj)}: apiVersion and kind must be strings`);
      continue;
    }
    const Model = await findModel(obj.apiVersion, obj.kind);
    if (Model === null) {
      problems.push(`${where} ${describe(obj)}: unknown kind ${obj.kind} in ${obj.apiVersion}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (err) {
      problems.push(`${where} ${describe(obj)}: invalid: ${err.message}`);
    }
  }
  return { count, problems };
}

async function main(args) {
  if (args.includes("-h") || args.includes("--help")) {
    console.log("usage: node validate.mjs [FILE...]   (no FILE or '-': standard input)");
    return 0;
  }
  const sources = args.length > 0 ? args : ["-"];
  let total = 0;
  const problems = [];
  for (const source of sources) {
    let text;
    try {
      text = readFileSync(source === "-" ? 0 : source, "utf8");
    } catch (err) {
      console.error(`validate.mjs: cannot read ${source}: ${err.message}`);
      return 2;
    }
    const result = await validateText(text, source === "-" ? "<stdin>" : source);
    total += result.count;
    problems.push(...result.problems);
  }
  for (const p of problems) console.error(p);
  if (total === 0 && problems.length === 0) {
    console.error("validate.mjs: no Kubernetes objects in the input");
    return 1;
  }
  console.log(`${total} object(s), ${problems.length} problem(s)`);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
