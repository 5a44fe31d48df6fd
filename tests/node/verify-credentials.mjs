// An outside verifier for SkillPath's JSON-LD credentials: Digital Bazaar's libraries, which no one here wrote.
//
//   node tests/node/verify-credentials.mjs < input.json > output.json
//
// Input (JSON on stdin):
//   contexts        {url: absolute path of the context file SkillPath ships}
//   statusLists     {url: the status list credential the test fetched from the app at that url}
//   credentials     [credential, ...]
//   now             optional ISO date-time to verify at
// Output (JSON on stdout): one result per credential, in order:
//   {verified, error, statusChecked, revoked}
//
// Offline: the document loader serves only the given contexts, the given status lists and did:key
// documents (resolved from the DID itself); any other URL is an error, so nothing is fetched.
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';

const input = JSON.parse(readFileSync(0, 'utf8'));

const contexts = new Map(
  Object.entries(input.contexts || {}).map(([url, path]) => [url, JSON.parse(readFileSync(path, 'utf8'))]));
const statusLists = new Map(Object.entries(input.statusLists || {}));

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(statusLists.has(url)) {
    return {contextUrl: null, documentUrl: url, document: statusLists.get(url)};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKey.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`Offline: refusing to load ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

function describe(error) {
  if(!error) {
    return null;
  }
  const errors = Array.isArray(error) ? error : [error];
  // jsonld-signatures wraps the real reasons in a VerificationError's `errors`.
  return errors.map(e => {
    const message = (e && (e.message || String(e))) || 'unknown error';
    return e && Array.isArray(e.errors) && e.errors.length ? `${message} (${describe(e.errors)})` : message;
  }).join('; ');
}

async function verifyOne(credential) {
  try {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader, checkStatus,
      ...(input.now ? {now: input.now} : {})
    });
    const statusResult = result.statusResult;
    const statusChecked = Boolean(statusResult && statusResult.verified);
    const revoked = statusChecked ? statusResult.results.some(r => r.status === true) : null;
    let error = describe(result.error);
    if(!error && statusResult && !statusResult.verified) {
      error = describe(statusResult.error) || 'status not verified';
    }
    return {verified: result.verified === true, error, statusChecked, revoked};
  } catch(e) {
    return {verified: false, error: describe(e), statusChecked: false, revoked: null};
  }
}

const results = [];
for(const credential of input.credentials || []) {
  results.push(await verifyOne(credential));
}
process.stdout.write(JSON.stringify(results) + '\n');
