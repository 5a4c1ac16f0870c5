-- The public queue page: one per guild, opt-in. Its URL's token lives with the other page tokens, and
-- the row existing is what "on" means: `/admin public-page off` deletes it, so the URL answers 404.
ALTER TABLE page_tokens DROP CONSTRAINT page_tokens_page_check;
ALTER TABLE page_tokens ADD CONSTRAINT page_tokens_page_check CHECK (page IN ('overlay', 'player', 'public'));
