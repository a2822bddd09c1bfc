"""What the assistant says to farmers, in Azerbaijani, English and Russian.

Commands and addresses inside a message (``ollama pull qwen3:4b``) stay as
they are in every language: the farmer, or whoever runs the server for them,
types them exactly.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LANGUAGE = "az"
LANGUAGE_NAMES = {"az": "Azərbaycanca", "en": "English", "ru": "Русский"}

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "az": (
            "Salam, **{name}**! Mən Yonca, təsərrüfat planlaşdırma köməkçinizəm. "
            "{farm} ({region}, {area}) haqqında soruşun: suvarma, gübrə, "
            "xəstəliklər, əkin təqvimi."
        ),
        "en": (
            "Hello, **{name}**! I am Yonca, your farm-planning assistant. Ask me "
            "about {farm} ({region}, {area}): irrigation, fertilizer, pests and "
            "diseases, the planting calendar."
        ),
        "ru": (
            "Здравствуйте, **{name}**! Я Yonca, ваш помощник по планированию "
            "хозяйства. Спрашивайте о хозяйстве «{farm}» ({region}, {area}): "
            "полив, удобрения, болезни, календарь посевов."
        ),
    },
    "settings.language": {"az": "Dil", "en": "Language", "ru": "Язык"},
    "settings.model": {"az": "Model", "en": "Model", "ru": "Модель"},
    "settings.detail": {
        "az": "Cavabın təfərrüatı",
        "en": "Detail of answers",
        "ru": "Подробность ответов",
    },
    "settings.units": {"az": "Ölçü vahidləri", "en": "Units", "ru": "Единицы"},
    "detail.brief": {"az": "Qısa", "en": "Brief", "ru": "Кратко"},
    "detail.standard": {"az": "Orta", "en": "Standard", "ru": "Обычно"},
    "detail.detailed": {"az": "Ətraflı", "en": "Detailed", "ru": "Подробно"},
    "units.hectare": {
        "az": "Hektar, kq, °C",
        "en": "Hectares, kg, °C",
        "ru": "Гектары, кг, °C",
    },
    "units.sot": {"az": "Sot, kq, °C", "en": "Sot, kg, °C", "ru": "Соты, кг, °C"},
    "units.acre": {
        "az": "Akr, funt, °F",
        "en": "Acres, pounds, °F",
        "ru": "Акры, фунты, °F",
    },
    "error.unavailable.ollama": {
        "az": (
            "Model serverinə qoşulmaq olmadı: Ollama {url} ünvanında cavab vermir. "
            "Onu `ollama serve` ilə başladın (və ya YONCA_OLLAMA_URL ilə düzgün "
            "ünvanı göstərin), sonra sualınızı yenidən göndərin."
        ),
        "en": (
            "I could not reach the model server: Ollama does not answer at {url}. "
            "Start it with `ollama serve` (or point YONCA_OLLAMA_URL at the right "
            "address), then send your question again."
        ),
        "ru": (
            "Не удалось подключиться к серверу модели: Ollama не отвечает по "
            "адресу {url}. Запустите его командой `ollama serve` (или укажите "
            "верный адрес в YONCA_OLLAMA_URL) и отправьте вопрос снова."
        ),
    },
    "error.unavailable.openai": {
        "az": (
            "Model serverinə qoşulmaq olmadı: {url} ünvanında OpenAI uyğun server "
            "cavab vermir. Serveri (vLLM, llama.cpp, LM Studio) başladın və ya "
            "YONCA_OPENAI_BASE_URL ünvanını yoxlayın, sonra yenidən göndərin."
        ),
        "en": (
            "I could not reach the model server: nothing answers at {url}. Start "
            "your OpenAI-compatible server (vLLM, llama.cpp, LM Studio) or check "
            "YONCA_OPENAI_BASE_URL, then send your question again."
        ),
        "ru": (
            "Не удалось подключиться к серверу модели: по адресу {url} никто не "
            "отвечает. Запустите OpenAI-совместимый сервер (vLLM, llama.cpp, "
            "LM Studio) или проверьте YONCA_OPENAI_BASE_URL и отправьте вопрос снова."
        ),
    },
    "error.missing.ollama": {
        "az": (
            "Ollama serverində **{model}** modeli yoxdur. Onu `ollama pull {model}` "
            "ilə yükləyin və ya parametrlərdə başqa model seçin, sonra sualınızı "
            "yenidən göndərin."
        ),
        "en": (
            "The Ollama server does not have the model **{model}**. Pull it with "
            "`ollama pull {model}` or choose another model in the settings, then "
            "send your question again."
        ),
        "ru": (
            "На сервере Ollama нет модели **{model}**. Загрузите её командой "
            "`ollama pull {model}` или выберите другую модель в настройках и "
            "отправьте вопрос снова."
        ),
    },
    "error.missing.openai": {
        "az": (
            "{url} serverində **{model}** modeli yoxdur. Modeli serverdə yükləyin "
            "və ya parametrlərdə başqa model seçin."
        ),
        "en": (
            "The server at {url} has no model **{model}**. Load it on the server "
            "or choose another model in the settings."
        ),
        "ru": (
            "На сервере {url} нет модели **{model}**. Загрузите её на сервере или "
            "выберите другую модель в настройках."
        ),
    },
    "error.failed": {
        "az": (
            "Model serveri ({url}) cavabı yarımçıq kəsdi. Bir az sonra yenidən "
            "cəhd edin; təkrar olarsa, serverin jurnalına baxın."
        ),
        "en": (
            "The model server at {url} stopped before finishing the answer. Try "
            "again in a moment; if it keeps happening, look at the server's log."
        ),
        "ru": (
            "Сервер модели ({url}) прервал ответ. Попробуйте ещё раз чуть позже; "
            "если повторится, посмотрите журнал сервера."
        ),
    },
    "attachments": {
        "az": "Əlavə edilmiş fayllar: {names}",
        "en": "Attached files: {names}",
        "ru": "Прикреплённые файлы: {names}",
    },
}


def text(key: str, language: str, **values: Any) -> str:
    """Return the message ``key`` in ``language`` (Azerbaijani if missing)."""
    variants = TEXTS[key]
    template = variants.get(language) or variants[DEFAULT_LANGUAGE]
    return template.format(**values)
