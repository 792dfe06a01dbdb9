import { expect, Page } from "@playwright/test";

export const DEMO_PASSWORD = "petpixel-demo";
export const demo = (who: "admin" | "manager" | "iris" | "theo" | "suki") => `${who}@demo.petpixel.example`;

export async function logIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Board" })).toBeVisible();
}
