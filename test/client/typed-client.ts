/**
 * Type-level test of the typed client, checked by `npm run typecheck` (tsc) in a project set up
 * as a caller's would be (./tsconfig.json): each `@ts-expect-error` fails the check if the line
 * below it compiles, so a client that stopped catching a wrong body or path breaks CI.
 */
import { createClient, failureOf } from 'edge-user-api/client'

const client = createClient('https://api.example.com')

export async function rightCalls() {
  await client.v1.users.$post({
    json: { name: 'Ada', email: 'ada@example.com', password: 'Sturdy-Pass-42' },
  })
  const login = await client.v1.users.login.$post({
    json: { email: 'ada@example.com', password: 'Sturdy-Pass-42' },
  })
  if (!login.ok) return (await failureOf(login)).code
  const { data } = await login.json()
  const me = await client.v1.users.me.$get(
    {},
    { headers: { Authorization: `Bearer ${data.token}` } },
  )
  if (me.status === 200) {
    const email: string = (await me.json()).data.email
    return email
  }
  await client.v1.auth.sessions[':sessionId'].$delete({ param: { sessionId: 'id' } })
  await client.v1.users.$get({ query: { q: 'ada', limit: '20' } })
  return undefined
}

export async function wrongCalls(response: Response) {
  // @ts-expect-error a failure has no data
  await failureOf(response).then((failure) => failure.data)
  // @ts-expect-error a code the contract does not have
  await failureOf(response).then((failure) => failure.code === 'teapot')
  // @ts-expect-error a body without the password
  await client.v1.users.$post({ json: { name: 'Ada', email: 'ada@example.com' } })
  // @ts-expect-error a field of the wrong type
  await client.v1.users.login.$post({ json: { email: 'ada@example.com', password: 42 } })
  // @ts-expect-error a path the API does not have
  await client.v1.users.profile.$get()
  // @ts-expect-error a method the path does not have
  await client.v1.auth.sessions.$post()
  // @ts-expect-error a path parameter left out
  await client.v1.users[':userId'].$get({})
}
