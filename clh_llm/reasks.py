"""The corrections sent after a refused reply: each names the reason and the shape wanted.

The caller knows the shape its prompt asked for, so it chooses the wording
(``LLMClient.ask(..., reask=...)``): a model asked for a findings list and corrected towards
IDs answers the wrong question.
"""

from __future__ import annotations


def reask_plainly(reason: str) -> str:
    """Word a correction that names what was wrong and refers to the first message's form."""
    return (
        f"Your reply could not be used: {reason}. Reply again in the form the first message "
        "asks for."
    )


def reask_for_ids(reason: str, *, structured: bool) -> str:
    """Word the correction of a reply that should have selected offered IDs."""
    if structured:
        return f'Your reply could not be used: {reason}. Reply with the JSON {{"ids": [...]}} only.'
    return (
        f"Your reply could not be used: {reason}. Reply again and end with the IDs inside "
        "<answer>...</answer> (<answer>0</answer> if none applies)."
    )
