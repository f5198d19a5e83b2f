"""The inclusion lens: who has spoken on each issue, and who has not."""
