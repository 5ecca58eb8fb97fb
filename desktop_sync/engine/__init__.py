"""The asyncio sync engine: scheduler, queues, throttles, mailbox cycles, events. No Qt."""
