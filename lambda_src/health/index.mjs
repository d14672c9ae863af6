// GET /health behind the API's authorizer: tells a caller which environment answered and
// that the function runs, without touching any dependency (no AWS SDK, no database).
const STARTED_AT = new Date().toISOString();

export const handler = async (event) => {
  const requestId = event?.requestContext?.requestId ?? null;
  return {
    statusCode: 200,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
    body: JSON.stringify({
      status: "ok",
      environment: process.env.ENVIRONMENT_NAME ?? "unknown",
      runtime: process.version,
      startedAt: STARTED_AT,
      requestId,
    }),
  };
};
