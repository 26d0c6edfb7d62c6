"""The language of an article's text, for pages whose markup declares none."""

from __future__ import annotations

import pytest

from cleaner import clean
from cleaner.language import guess_language

SAMPLES = {
    "en": "The city council said on Monday that the new park will open to the public at the end "
    "of next year, and that it is going to have a library run by people who live nearby.",
    "id": "Pemerintah kota mengumumkan bahwa taman yang baru itu akan dibuka untuk umum pada "
    "akhir tahun depan, dan juga ada perpustakaan kecil yang dikelola oleh warga di sekitar.",
    "de": "Die Stadt hat am Montag mitgeteilt, dass der neue Park Ende des nächsten Jahres für "
    "die Öffentlichkeit geöffnet wird und dass es dort auch eine kleine Bibliothek gibt.",
    "es": "El ayuntamiento anunció el lunes que el nuevo parque se abrirá al público a finales "
    "del año que viene, y que tendrá una pequeña biblioteca para los vecinos del barrio.",
    "pt": "A prefeitura anunciou na segunda-feira que o novo parque vai abrir para o público no "
    "fim do ano que vem, e que terá uma pequena biblioteca cuidada pelos moradores da região.",
    "fr": "La mairie a annoncé lundi que le nouveau parc sera ouvert au public à la fin de "
    "l'année prochaine, et qu'il aura une petite bibliothèque pour les habitants du quartier.",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_prose_is_recognised_by_its_function_words(code: str) -> None:
    """A few sentences of prose are enough to tell each listed language apart."""
    assert guess_language(" ".join([SAMPLES[code]] * 3)) == code


def test_short_text_or_an_unlisted_language_gives_no_guess() -> None:
    """Too few words, or a language the list does not know (Czech shares a few short words
    with Portuguese by chance), give None rather than a wrong code."""
    assert guess_language("The park opens next year.") is None
    czech = (
        "Praha je hlavní město České republiky a zároveň její největší město. Leží na řece "
        "Vltavě ve středu Čech. Historické centrum města je zapsáno na seznamu světového "
        "dědictví a město je známé svými mosty, kostely a věžemi. "
    )
    assert guess_language(czech * 4) is None


def test_a_page_without_a_declared_language_gets_the_language_of_its_text() -> None:
    """A page that declares nothing gets the language of its article's words, in the result
    and on the reading document; a declared language the words agree with stays as
    written, region included."""
    paras = "".join(f"<p>{SAMPLES['id']} Bagian {i}.</p>" for i in range(4))
    bare = clean(f"<html><body><article>{paras}</article></body></html>", url="https://x.test/a")
    assert bare.lang == "id"
    assert '<html lang="id">' in bare.html
    english = "".join(f"<p>{SAMPLES['en']} Part {i}.</p>" for i in range(4))
    declared = clean(
        f"<html lang='en-GB'><body><article>{english}</article></body></html>",
        url="https://x.test/a",
    )
    assert declared.lang == "en-GB"


def test_the_article_s_words_overrule_a_template_s_declared_language() -> None:
    """Indonesian news sites leave ``lang="en"`` in their templates: when the article is
    clearly in another language, that language wins; when the words do not clearly say
    (too short), the declared one stays."""
    paras = "".join(f"<p>{SAMPLES['id']} Bagian {i}.</p>" for i in range(4))
    wrong = clean(f"<html lang='en'><body><article>{paras}</article></body></html>")
    assert wrong.lang == "id"
    short = clean("<html lang='en'><body><article><p>Taman kota.</p></article></body></html>")
    assert short.lang == "en"
