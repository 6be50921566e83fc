// validate-har.js checks HAR files against the HAR 1.2 JSON schema of npm's
// har-schema (with ajv), plus the rules the schema cannot say: timings are
// -1 or more (send, wait and receive 0 or more), ssl is inside connect,
// time is the sum of the phases without ssl, and every field HAR does not
// define starts with "_".
//
//	npm install --prefix "$HAR_VALIDATOR_DIR" ajv ajv-formats har-schema
//	HAR_VALIDATOR_DIR=... node render/testdata/validate-har.js a.har [b.har ...]
//
// It prints one line per problem and exits 1 if there is any.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.HAR_VALIDATOR_DIR;
if (!dir) {
  console.error('validate-har: set HAR_VALIDATOR_DIR to the folder npm installed ajv, ajv-formats and har-schema into');
  process.exit(2);
}
const mod = name => require(path.join(path.resolve(dir), 'node_modules', name));
const Ajv = mod('ajv').default || mod('ajv');
const addFormats = mod('ajv-formats').default || mod('ajv-formats');
const schemas = mod('har-schema');

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addMetaSchema(mod('ajv/dist/refs/json-schema-draft-06.json'));
addFormats(ajv);
for (const s of Object.values(schemas)) ajv.addSchema(s);
const validate = ajv.getSchema('har.json#');

// HAR's own fields per object, from the schema; Chrome's cookie sameSite
// is tolerated as Chrome writes it.
const own = name => Object.keys(schemas[name].properties);
const fields = {
  log: own('log'), creator: own('creator'), page: own('page'), pageTimings: own('pageTimings'),
  entry: own('entry'), request: own('request'), response: own('response'), cookie: [...own('cookie'), 'sameSite'],
  header: own('header'), query: own('query'), postData: own('postData'), content: own('content'),
  cache: own('cache'), timings: own('timings'),
};

let problems = 0;
const report = (file, where, msg) => {
  problems++;
  console.log(`${file}: ${where}: ${msg}`);
};

function checkKeys(file, where, obj, kind) {
  if (!obj || typeof obj !== 'object') return;
  for (const k of Object.keys(obj)) {
    if (!k.startsWith('_') && !fields[kind].includes(k)) report(file, where, `"${k}" is not a HAR 1.2 field and does not start with "_"`);
  }
}

function checkRules(file, har) {
  const log = har.log;
  checkKeys(file, 'log', log, 'log');
  checkKeys(file, 'log.creator', log.creator, 'creator');
  (log.pages || []).forEach((p, i) => {
    checkKeys(file, `pages[${i}]`, p, 'page');
    checkKeys(file, `pages[${i}].pageTimings`, p.pageTimings, 'pageTimings');
  });
  const ids = new Set((log.pages || []).map(p => p.id));
  log.entries.forEach((e, i) => {
    const at = `entries[${i}]`;
    checkKeys(file, at, e, 'entry');
    checkKeys(file, at + '.request', e.request, 'request');
    checkKeys(file, at + '.response', e.response, 'response');
    checkKeys(file, at + '.response.content', e.response.content, 'content');
    checkKeys(file, at + '.cache', e.cache, 'cache');
    checkKeys(file, at + '.timings', e.timings, 'timings');
    if (e.request.postData) checkKeys(file, at + '.request.postData', e.request.postData, 'postData');
    for (const side of ['request', 'response']) {
      e[side].headers.forEach((h, j) => checkKeys(file, `${at}.${side}.headers[${j}]`, h, 'header'));
      e[side].cookies.forEach((c, j) => checkKeys(file, `${at}.${side}.cookies[${j}]`, c, 'cookie'));
    }
    e.request.queryString.forEach((q, j) => checkKeys(file, `${at}.request.queryString[${j}]`, q, 'query'));
    if (e.pageref !== undefined && !ids.has(e.pageref)) report(file, at, `pageref "${e.pageref}" names no page`);
    if (e.request.url.includes('#')) report(file, at, 'request.url has a fragment');

    const t = e.timings;
    for (const k of ['blocked', 'dns', 'connect', 'ssl']) {
      if (t[k] !== undefined && !(t[k] === -1 || t[k] >= 0)) report(file, at, `timings.${k} is ${t[k]}: want -1 or >= 0`);
    }
    for (const k of ['send', 'wait', 'receive']) {
      if (!(t[k] >= 0)) report(file, at, `timings.${k} is ${t[k]}: want >= 0`);
    }
    if (t.ssl > 0 && !(t.connect >= t.ssl)) report(file, at, `timings.ssl ${t.ssl} is not inside connect ${t.connect}`);
    let sum = 0;
    for (const k of ['blocked', 'dns', 'connect', 'send', 'wait', 'receive']) sum += Math.max(t[k] === undefined ? 0 : t[k], 0);
    if (Math.abs(sum - e.time) > 0.0015) report(file, at, `time is ${e.time}, the phases add up to ${sum}`);
    if (!(e.time >= 0)) report(file, at, `time is ${e.time}`);
  });
}

for (const file of process.argv.slice(2)) {
  let har;
  try {
    har = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    report(file, 'json', err.message);
    continue;
  }
  if (!validate(har)) {
    for (const err of validate.errors) report(file, err.instancePath || '/', `${err.message} (${err.schemaPath})`);
    continue;
  }
  checkRules(file, har);
}
process.exit(problems ? 1 : 0);
