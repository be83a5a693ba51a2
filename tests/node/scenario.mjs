// The AWS SDK for JavaScript v3 against sm_mock's server (run by tests/test_server_node.py).
// Usage: node scenario.mjs <endpoint URL> <rotation Lambda ARN>; prints one JSON object.
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  paginateListSecrets,
} from "@aws-sdk/client-secrets-manager";

const [endpoint, rotationLambdaArn] = process.argv.slice(2);
const client = new SecretsManagerClient({ region: "us-east-1", endpoint });
const out = {};

// The seed's example (002, "SDK - Node.js"), as written there, minus the TypeScript types.
async function getSecret(secretName) {
  const command = new GetSecretValueCommand({ SecretId: secretName });
  try {
    const response = await client.send(command);
    if (response.SecretString) {
      return JSON.parse(response.SecretString);
    }
    if (response.SecretBinary) {
      const decoded = Buffer.from(response.SecretBinary).toString("utf-8");
      return JSON.parse(decoded);
    }
    throw new Error("Secret has no value");
  } catch (err) {
    if (err instanceof ResourceNotFoundException) {
      throw new Error(`Secret "${secretName}" not found`);
    }
    throw err;
  }
}

const db = { username: "admin", password: "s3cr3t", host: "db.example.com", port: 5432, dbname: "myapp" };
const created = await client.send(
  new CreateSecretCommand({ Name: "myapp/prod/db", SecretString: JSON.stringify(db), Tags: [{ Key: "env", Value: "prod" }] }),
);
out.arn = created.ARN;
out.db = await getSecret("myapp/prod/db");

await client.send(new CreateSecretCommand({ Name: "myapp/prod/blob", SecretBinary: new Uint8Array([0, 255, 1, 2]) }));
out.binary = Array.from((await client.send(new GetSecretValueCommand({ SecretId: "myapp/prod/blob" }))).SecretBinary);
await client.send(new CreateSecretCommand({ Name: "myapp/prod/json-blob", SecretBinary: Buffer.from('{"k":"v"}') }));
out.jsonBlob = await getSecret("myapp/prod/json-blob");

const put = await client.send(
  new PutSecretValueCommand({ SecretId: "myapp/prod/db", SecretString: JSON.stringify({ ...db, password: "new" }) }),
);
out.putVersion = put.VersionId;
out.current = JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: "myapp/prod/db" }))).SecretString);
const previous = await client.send(new GetSecretValueCommand({ SecretId: "myapp/prod/db", VersionStage: "AWSPREVIOUS" }));
out.previous = JSON.parse(previous.SecretString);

const described = await client.send(new DescribeSecretCommand({ SecretId: "myapp/prod/db" }));
out.describe = {
  name: described.Name,
  tags: described.Tags,
  stages: Object.values(described.VersionIdsToStages).map((s) => s.join(",")).sort(),
  createdIsDate: described.CreatedDate instanceof Date,
};

const names = [];
let pages = 0;
for await (const page of paginateListSecrets({ client, pageSize: 1 }, {})) {
  pages += 1;
  names.push(...page.SecretList.map((s) => s.Name));
}
out.listed = { names: names.sort(), pages };

try {
  await getSecret("does/not/exist");
} catch (err) {
  out.missing = err.message;
}
try {
  await client.send(new DescribeSecretCommand({ SecretId: "does/not/exist" }));
} catch (err) {
  out.missingInstanceof = err instanceof ResourceNotFoundException;
  out.missingName = err.name;
  out.missingStatus = err.$metadata.httpStatusCode;
}

const batch = await client.send(new BatchGetSecretValueCommand({ SecretIdList: ["myapp/prod/db", "does/not/exist"] }));
out.batch = {
  values: batch.SecretValues.map((v) => v.Name),
  errors: batch.Errors.map((e) => [e.SecretId, e.ErrorCode]),
};

const rotated = await client.send(
  new RotateSecretCommand({
    SecretId: "myapp/prod/db",
    RotationLambdaARN: rotationLambdaArn,
    RotationRules: { AutomaticallyAfterDays: 30 },
  }),
);
const afterRotation = await client.send(new GetSecretValueCommand({ SecretId: "myapp/prod/db" }));
out.rotation = {
  sameVersion: rotated.VersionId === afterRotation.VersionId,
  password: JSON.parse(afterRotation.SecretString).password,
  enabled: (await client.send(new DescribeSecretCommand({ SecretId: "myapp/prod/db" }))).RotationEnabled,
};

// The test injected two InternalServiceError answers for this secret: the SDK retries them.
await client.send(new CreateSecretCommand({ Name: "myapp/faulty", SecretString: "finally" }));
const faulty = await client.send(new GetSecretValueCommand({ SecretId: "myapp/faulty" }));
out.faulty = { value: faulty.SecretString, attempts: faulty.$metadata.attempts };

console.log(JSON.stringify(out));
