"""Operations, above the doors: backup and restore (`danvan backup`/`restore`) and `/healthz`.
Demo loading is still in danvan/foundation (issue 17)."""
