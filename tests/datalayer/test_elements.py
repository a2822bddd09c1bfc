"""Elements of every type Chainlit has, with their files in storage."""

from __future__ import annotations

from pathlib import Path

import chainlit as cl
import pandas
import plotly.graph_objects as go
import pytest

from yonca.datalayer import YoncaDataLayer
from yonca.errors import InvalidInputError


def every_element(for_id: str) -> list[cl.Element]:
    return [
        cl.Image(
            content=b"\x89PNG\r\n", name="leaf.png", display="inline", size="large"
        ),
        cl.Text(content="Suvarma cədvəli", name="plan.txt", language="markdown"),
        cl.Pdf(content=b"%PDF-1.4 plan", name="plan.pdf", page=3, display="side"),
        cl.Audio(content=b"RIFF", name="note.wav", auto_play=True),
        cl.Video(
            content=b"\x00\x00\x00\x18ftyp",
            name="field.mp4",
            player_config={"controls": True, "muted": False},
        ),
        cl.File(content=b"a,b\n1,2\n", name="yield.csv", mime="text/csv"),
        cl.Plotly(figure=go.Figure(data=[go.Bar(y=[2, 3])]), name="chart"),
        cl.Dataframe(data=pandas.DataFrame({"crop": ["cotton"]}), name="table"),
        cl.TaskList(),
        cl.CustomElement(name="FarmMap", props={"parcels": [{"id": "P-1"}]}),
    ]


async def test_every_element_type_round_trips(
    layer: YoncaDataLayer, chainlit_session: str, tmp_files_dir: Path
) -> None:
    message = cl.Message(content="files")
    await layer.create_step(message.to_dict())
    sent = every_element(message.id)

    for element in sent:
        element.for_id = message.id
        await layer.create_element(element)

    for element in sent:
        stored = await layer.get_element(chainlit_session, element.id)
        assert stored is not None, element.type
        expected = element.to_dict()
        for key in (
            "id",
            "threadId",
            "type",
            "name",
            "display",
            "forId",
            "props",
            "page",
            "autoPlay",
            "playerConfig",
            "language",
            "size",
        ):
            assert stored.get(key) == expected.get(key), (element.type, key)
        assert stored["objectKey"], element.type
        assert stored["url"].startswith("/yonca/files/"), element.type
        assert "path" not in stored


async def test_stored_bytes_are_what_was_sent(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    pdf = cl.Pdf(content=b"%PDF-1.4 exact bytes", name="plan.pdf")
    await layer.create_element(pdf)

    stored = await layer.get_element(chainlit_session, pdf.id)
    assert stored is not None
    signed = layer.storage_provider.open_token(stored["url"].rsplit("/", 1)[1])
    assert signed.path.read_bytes() == b"%PDF-1.4 exact bytes"
    assert signed.mime == "application/pdf"


async def test_an_element_with_only_a_url_is_stored_without_fetching(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    # Nothing listens on this port: a fetch would fail the write.
    image = cl.Image(url="http://127.0.0.1:9/secret.png", name="remote.png")
    await layer.create_element(image)

    stored = await layer.get_element(chainlit_session, image.id)
    assert stored is not None
    assert stored["url"] == "http://127.0.0.1:9/secret.png"
    assert stored["objectKey"] is None


async def test_a_path_inside_the_upload_directory_is_read(
    layer: YoncaDataLayer, chainlit_session: str, upload_dir: Path
) -> None:
    upload = upload_dir / "session" / "scan.pdf"
    upload.parent.mkdir()
    upload.write_bytes(b"%PDF-1.4 uploaded")
    pdf = cl.Pdf(path=str(upload), name="scan.pdf")

    await layer.create_element(pdf)

    stored = await layer.get_element(chainlit_session, pdf.id)
    assert stored is not None and stored["objectKey"]


@pytest.mark.parametrize("path", ["/etc/passwd", "{upload}/../../outside.txt"])
async def test_a_path_outside_the_upload_directory_is_refused(
    layer: YoncaDataLayer, chainlit_session: str, upload_dir: Path, path: str
) -> None:
    element = cl.File(path=path.format(upload=upload_dir), name="x")

    with pytest.raises(InvalidInputError, match="upload directory"):
        await layer.create_element(element)
    assert await layer.get_element(chainlit_session, element.id) is None


async def test_delete_element_removes_its_file(
    layer: YoncaDataLayer, chainlit_session: str, tmp_files_dir: Path
) -> None:
    image = cl.Image(content=b"png", name="gone.png")
    await layer.create_element(image)
    assert any(tmp_files_dir.rglob("gone.png"))

    await layer.delete_element(image.id, chainlit_session)

    assert await layer.get_element(chainlit_session, image.id) is None
    assert not any(tmp_files_dir.rglob("gone.png"))


async def test_a_thread_lists_its_elements_with_fresh_urls(
    layer: YoncaDataLayer, chainlit_session: str
) -> None:
    image = cl.Image(content=b"png", name="leaf.png")
    await layer.create_element(image)

    thread = await layer.get_thread(chainlit_session)
    assert thread is not None and thread["elements"] is not None
    assert [e["id"] for e in thread["elements"]] == [image.id]
    assert thread["elements"][0]["url"].startswith("/yonca/files/")
