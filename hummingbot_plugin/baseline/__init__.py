"""The classic baseline every ML result is compared against (pure signal maths)."""
