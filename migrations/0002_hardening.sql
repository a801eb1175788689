ALTER TABLE "audit_log" ADD COLUMN "client_request_id" text;--> statement-breakpoint
ALTER TABLE "login_throttle" ADD COLUMN "window_seconds" integer DEFAULT 900 NOT NULL;