import datetime as dt

import pytest

from common.idcard import IdNumber, IdNumberError, check_character, mask_id_number, parse_id_number

TODAY = dt.date(2025, 6, 1)
VECTOR = "11010519491231002X"


def _valid(first17: str) -> str:
    return first17 + check_character(first17)


def _error(raw: str, today: dt.date | None = TODAY) -> IdNumberError:
    with pytest.raises(IdNumberError) as info:
        parse_id_number(raw, today=today)
    return info.value


def test_it_accepts_the_standard_test_vector() -> None:
    assert parse_id_number(VECTOR, today=TODAY) == IdNumber(
        number=VECTOR, birth_date=dt.date(1949, 12, 31), sex="female"
    )


def test_it_normalises_a_lowercase_x_and_surrounding_whitespace() -> None:
    assert parse_id_number("11010519491231002x", today=TODAY).number == VECTOR
    assert parse_id_number(" \t11010519491231002x\n", today=TODAY).number == VECTOR
    assert parse_id_number("\u300011010519491231002X\u3000", today=TODAY).number == VECTOR


def test_it_defaults_today_to_the_current_date() -> None:
    assert parse_id_number(VECTOR).birth_date == dt.date(1949, 12, 31)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert "晚于今天" in _error(_valid("110105" + tomorrow.strftime("%Y%m%d") + "001"), today=None).message


def test_it_rejects_an_empty_number() -> None:
    assert _error("").message == "身份证号不能为空"
    assert _error(" \u3000 ").message == "身份证号不能为空"


def test_it_rejects_a_wrong_length_and_states_it() -> None:
    assert _error(VECTOR[:17]).message == "身份证号应为18位，实际为17位"
    assert _error(VECTOR + "1").message == "身份证号应为18位，实际为19位"
    assert _error("110105491231002").message == "身份证号应为18位，实际为15位"


@pytest.mark.parametrize(
    "raw",
    [
        "1101051949123100XX",
        "11010519491231002Y",
        "A1010519491231002X",
        "110105-9491231002X",
        "１１010519491231002X",
    ],
)
def test_it_rejects_characters_other_than_digits_and_a_final_x(raw: str) -> None:
    assert _error(raw).message == "身份证号只能包含数字，最后一位可以是X"


def test_it_message_is_also_the_exception_text_and_it_is_a_value_error() -> None:
    error = _error("")
    assert str(error) == error.message
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("date_text", ["19490231", "19491301", "19490001", "19490100", "19000229"])
def test_it_rejects_an_impossible_birth_date(date_text: str) -> None:
    message = _error(_valid("110105" + date_text + "002")).message
    assert message == f"身份证号中的出生日期{date_text}不是有效日期"


def test_it_accepts_a_leap_day_in_a_leap_year() -> None:
    assert parse_id_number(_valid("11010520000229002"), today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_it_rejects_a_birth_date_after_today_but_accepts_today() -> None:
    assert _error(_valid("11010520250602001")).message == "身份证号中的出生日期20250602晚于今天"
    assert parse_id_number(_valid("11010520250601001"), today=TODAY).birth_date == TODAY


def test_it_rejects_a_birth_date_before_1900_but_accepts_1900_01_01() -> None:
    assert _error(_valid("11010518991231001")).message == "身份证号中的出生日期18991231早于1900年"
    assert parse_id_number(_valid("11010519000101001"), today=TODAY).birth_date == dt.date(1900, 1, 1)


def test_it_rejects_a_wrong_check_character_naming_the_expected_one() -> None:
    assert _error("110105194912310021").message == "身份证号校验位错误：应为X，实际为1"
    number = _valid("11010519800101001")
    wrong = "0" if number[-1] != "0" else "1"
    assert _error(number[:17] + wrong).message == f"身份证号校验位错误：应为{number[-1]}，实际为{wrong}"


def test_it_reports_the_date_before_the_check_character() -> None:
    assert "不是有效日期" in _error("110105194902310020").message


def test_it_derives_sex_from_the_parity_of_the_17th_digit() -> None:
    for digit in "13579":
        assert parse_id_number(_valid("1101051980010100" + digit), today=TODAY).sex == "male"
    for digit in "02468":
        assert parse_id_number(_valid("1101051980010100" + digit), today=TODAY).sex == "female"


def test_it_does_not_validate_the_area_code_beyond_its_digits() -> None:
    assert parse_id_number(_valid("37250119650315123"), today=TODAY).number.startswith("372501")
    assert parse_id_number(_valid("00000019650315123"), today=TODAY).birth_date == dt.date(1965, 3, 15)


@pytest.mark.parametrize(
    "first17",
    ["11010519491231002", "44030119900307001", "51010719851120456", "37250119650315123", "65010220240229998"],
)
def test_it_accepts_numbers_completed_with_check_character(first17: str) -> None:
    number = first17 + check_character(first17)
    assert parse_id_number(number, today=TODAY).number == number
    assert check_character(first17) in "0123456789X"


def test_it_computes_the_check_character_of_the_test_vector() -> None:
    assert check_character("11010519491231002") == "X"


def test_it_uses_every_check_character_for_some_sequence() -> None:
    seen = {check_character(f"110105198001010{n:02d}") for n in range(100)}
    assert seen == set("0123456789X")


@pytest.mark.parametrize(
    "bad", ["", "1101051949123100", "110105194912310021", "1101051949123100A", "１１010519491231002"]
)
def test_it_refuses_to_compute_a_check_character_from_anything_but_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


def test_it_masks_the_middle_of_an_18_character_number() -> None:
    assert mask_id_number(VECTOR) == "110105********002X"


def test_it_masks_all_but_the_last_4_of_other_lengths() -> None:
    assert mask_id_number("110105491231002") == "***********1002"
    assert mask_id_number("12345") == "*2345"
    assert mask_id_number("1234") == "1234"
    assert mask_id_number("") == ""
