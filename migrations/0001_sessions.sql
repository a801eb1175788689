-- No writer may change refresh_tokens between the copy into sessions and the column changes
-- below (a revocation would be lost, a new family would break the foreign key): the lock is
-- held until the migration commits.
LOCK TABLE "refresh_tokens" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"idle_expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"user_agent" text,
	"client_address" text
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
-- Every refresh-token family becomes a session with the family's id, so refresh tokens issued
-- before this migration keep working. Their absolute end is the default SESSION_MAX_AGE (90
-- days) after the family's first token; a family with a revoked member is already ended.
INSERT INTO "sessions" ("id", "user_id", "created_at", "last_used_at", "expires_at", "idle_expires_at", "ended_at")
SELECT "family_id", min("user_id"::text)::uuid, min("created_at"), max("created_at"),
	min("created_at") + interval '90 days', max("expires_at"),
	CASE WHEN bool_or("revoked_at" IS NOT NULL) THEN now() END
FROM "refresh_tokens" GROUP BY "family_id";--> statement-breakpoint
DROP INDEX "refresh_tokens_family_idx";--> statement-breakpoint
ALTER TABLE "refresh_tokens" RENAME COLUMN "family_id" TO "session_id";--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refresh_tokens_session_idx" ON "refresh_tokens" USING btree ("session_id");--> statement-breakpoint
ALTER TABLE "refresh_tokens" DROP COLUMN "revoked_at";
