import pytest
from django.core.exceptions import ValidationError

from core.uscc import is_valid_uscc, normalize_uscc, uscc_check_character, validate_uscc

# Codes published on business licences and in public company registers.
PUBLISHED = [
    "91350100M000100Y43",  # the worked example in GB 32100-2015 guidance
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）网络技术有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "12100000400000624D",  # an institution (事业单位) code, type 1-2
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_accepted(code):
    validate_uscc(code)
    assert is_valid_uscc(code)


def test_spaces_and_lower_case_are_normalised():
    assert normalize_uscc(" 9144 0300 7152 6726xg ") == "9144030071526726XG"
    assert is_valid_uscc(" 9144 0300 7152 6726xg ")


def test_check_character_is_computed_mod_31():
    assert uscc_check_character("91350100M000100Y4") == "3"
    assert uscc_check_character("9144030071526726X") == "G"


def _error(code: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    return info.value


@pytest.mark.parametrize("code,length", [("9135010", 7), ("91350100M000100Y431", 19), ("", 0)])
def test_wrong_length_says_how_long(code, length):
    error = _error(code)
    assert error.code == "uscc_length"
    assert error.params == {"n": length}


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_forbidden_character_names_position_and_character(bad):
    code = "91350100M000100Y43"
    error = _error(code[:10] + bad + code[11:])
    assert error.code == "uscc_character"
    assert error.params == {"position": 11, "char": bad}


def test_division_part_must_be_digits():
    error = _error("91A5010" + "0M000100Y43")
    assert error.code == "uscc_division"


def test_wrong_check_character_names_the_expected_one():
    error = _error("91350100M000100Y44")
    assert error.code == "uscc_check"
    assert error.params == {"expected": "3", "got": "4"}


def test_a_single_mistyped_character_is_caught():
    code = "9144030071526726XG"
    mistyped = code[:5] + "4" + code[6:]
    assert not is_valid_uscc(mistyped)


def test_message_is_chinese_by_default():
    from django.utils import translation

    with translation.override("zh-hans"):
        message = _error("9135010").messages[0]
    assert "18 位" in message and "7 位" in message
