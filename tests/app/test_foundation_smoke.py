def test_the_login_page_shows_in_chinese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True) or "Log in" in response.get_data(as_text=True)


def test_a_store_user_logs_in_and_sees_the_home_page(client, make_store, make_user, login):
    user = make_user("store", store=make_store())
    login(user)
    response = client.get("/home")
    assert response.status_code == 200
