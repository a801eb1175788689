/**
 * What the admin journeys (journeys/admin.ts) share: the run's admin, a page and more of
 * accounts to list, and the user list's rows and search.
 */
import assert from 'node:assert/strict'
import type { AppPage } from './harness'
import { clientAddress, eventually, hasText, visible } from './harness'
import { type Account, createAccount, e2e, heading, makeAdmin, signIn } from './support'

/** The list's page size (admin-list.js); one more than a page, so there is a second. */
export const PAGE_SIZE = 20
export const LISTED = PAGE_SIZE + 1

type Listed = { accounts: Account[]; emailPrefix: string; namePrefix: string }

let adminAccount: Promise<Account> | undefined
/** One admin for the run, made on first use. */
export function admin(): Promise<Account> {
  adminAccount ??= (async () => {
    const who = await createAccount('admin', 'Ada Admin')
    await makeAdmin(who)
    return who
  })()
  return adminAccount
}

let listedAccounts: Promise<Listed> | undefined
/**
 * A page and one more of accounts that only this run's searches find: their emails share a
 * prefix made of this run's id, their names are "Listed <tag> 01" to "Listed <tag> 21" with a
 * tag of this run's (the database may hold earlier runs' accounts).
 */
export function listed(): Promise<Listed> {
  listedAccounts ??= (async () => {
    const tag = Math.random().toString(36).slice(2, 8)
    const accounts: Account[] = []
    for (let start = 1; start <= LISTED; start += 7) {
      const numbers = Array.from({ length: Math.min(7, LISTED - start + 1) }, (_, i) => start + i)
      accounts.push(
        ...(await Promise.all(
          numbers.map((n) =>
            createAccount(`listed${tag}`, `Listed ${tag} ${String(n).padStart(2, '0')}`),
          ),
        )),
      )
    }
    const email = accounts[0]?.email ?? ''
    return {
      accounts,
      emailPrefix: email.slice(0, email.lastIndexOf('-') + 1),
      namePrefix: `Listed ${tag} `,
    }
  })()
  return listedAccounts
}

/** Logs in through the API, as another device would; the tokens of that session. */
export async function apiLogIn(who: Account): Promise<{ token: string; refreshToken: string }> {
  const response = await fetch(`${e2e.baseUrl}/v1/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'CF-Connecting-IP': clientAddress() },
    body: JSON.stringify({ email: who.email, password: who.password }),
  })
  const body = (await response.json()) as { data: { token: string; refreshToken: string } }
  assert.equal(response.status, 200, `logging ${who.email} in: ${JSON.stringify(body)}`)
  return body.data
}

export const rows = (app: AppPage) => app.page.locator('#users-rows > tr')
export const rowOf = (app: AppPage, email: string) => rows(app).filter({ hasText: email })
export const usersHeading = (app: AppPage) => heading(app, 'Users')

/** Waits for the list to show `count` rows (and not be loading); returns their emails. */
export async function waitForRows(app: AppPage, count: number): Promise<string[]> {
  const { emails } = await eventually(
    `${count} user(s) in the list`,
    async () => ({
      busy: await app.page.locator('#users-table').getAttribute('aria-busy'),
      emails: await rows(app).locator('.users-table__email').allInnerTexts(),
    }),
    ({ busy, emails }) => busy !== 'true' && emails.length === count,
  )
  return emails.map((text) => text.replace(/\s*Unverified$/, '').trim())
}

export async function search(app: AppPage, text: string): Promise<void> {
  await app.page.getByRole('searchbox', { name: 'Search' }).fill(text)
  await app.page.getByRole('button', { name: 'Search', exact: true }).click()
}

/** Signs the admin in and opens the user list from the header. */
export async function openUserList(app: AppPage): Promise<void> {
  await signIn(app, await admin())
  await hasText(app.page.locator('#profile-role'), 'Admin')
  await app.page
    .getByRole('navigation', { name: 'Admin' })
    .getByRole('link', { name: 'Users' })
    .click()
  await visible(usersHeading(app))
}
