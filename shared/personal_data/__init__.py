"""Personal data at rest (UU 27/2022): a keyed digest to find a value, authenticated encryption to keep it."""

from shared.personal_data.keys import InsecurePersonalDataKeys, PersonalDataKeys, personal_data_keys

__all__ = ["InsecurePersonalDataKeys", "PersonalDataKeys", "personal_data_keys"]
